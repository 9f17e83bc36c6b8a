//! Conversions from a published file to the file cnimap reads: select and rename CSV columns
//! (read with cnimap's own CSV reader, so BOMs, long headers and thousands separators are handled
//! as `cnimap check` handles them), and the CNI 2023 left-behind flag.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use cnimap_data::csvread::{parse_f64, parse_u32, Column, CsvFile, Row};

use crate::error::ConvertError;
use crate::sources::{ColumnSpec, Convert, ConvertKind, Format};

/// The header of the flag column the CNI 2023 conversion adds.
pub const LEFT_BEHIND_COLUMN: &str = "Left Behind Area?";
/// The LSOA code column of the CNI 2023 output and of the IMD 2025 file.
pub const LSOA21_CODE: &str = "lsoa21_code";
/// The IMD decile column of the IMD 2025 file.
pub const IMD_DECILE: &str = "IMD_decile";
/// The CNI 2023 rank column (input and output).
pub const CNI2023_RANK: &str = "Community Needs Index 2023 Rank";

/// Converts `input` into `output` as `spec` says; `data_dir` is where files the conversion needs
/// (the IMD 2025 file for the CNI flag) are read from. `output` is written whole or not at all by
/// the caller's rename; on error it may hold part of the result and the caller removes it.
pub fn convert(
    spec: &Convert,
    input: &Path,
    data_dir: &Path,
    output: &Path,
) -> Result<(), ConvertError> {
    let mut csv = CsvFile::open(input)?;
    let columns = resolve(&csv, &spec.columns, input)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut ranks: Vec<u32> = Vec::new();
    let rank_col = match spec.kind {
        ConvertKind::Cni2023LeftBehind => Some(csv.column(CNI2023_RANK)?),
        ConvertKind::SelectColumns => None,
    };
    let code_at = spec.columns.iter().position(|c| c.name == LSOA21_CODE);
    csv.for_each_row(|row| {
        let mut out = Vec::with_capacity(columns.len() + 1);
        for (col, s) in columns.iter().zip(&spec.columns) {
            out.push(format_cell(row, col, s.format)?);
        }
        if let Some(rc) = &rank_col {
            // humaniverse/IMD drops rows without an LSOA code before computing deciles.
            if code_at.is_some_and(|i| out[i].is_empty()) {
                return Ok(());
            }
            ranks.push(row.u32(rc)?);
        }
        rows.push(out);
        Ok(())
    })?;
    let mut header: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    if spec.kind == ConvertKind::Cni2023LeftBehind {
        let imd_rel = spec.imd.as_deref().unwrap_or_default();
        let imd_path = data_dir.join(imd_rel);
        if !imd_path.is_file() {
            return Err(ConvertError::Needs {
                needs: imd_rel.to_string(),
            });
        }
        let imd = imd_deciles(&imd_path)?;
        let code_at = code_at.ok_or_else(|| ConvertError::Needs {
            needs: format!("an output column {LSOA21_CODE:?}"),
        })?;
        let first = ntile_first_decile(&ranks);
        for (row, in_first) in rows.iter_mut().zip(first) {
            let flag = in_first && imd.get(&row[code_at]) == Some(&1);
            row.push(if flag { "True" } else { "False" }.to_string());
        }
        header.push(LEFT_BEHIND_COLUMN);
    }
    write_csv(output, &header, &rows)
}

/// Finds each output column's input column.
fn resolve(csv: &CsvFile, specs: &[ColumnSpec], input: &Path) -> Result<Vec<Column>, ConvertError> {
    let headers = csv.headers();
    specs
        .iter()
        .map(|s| match (&s.from, s.position) {
            (Some(name), _) => Ok(csv.column(name)?),
            (None, Some(position)) => {
                let name =
                    headers
                        .get(position.wrapping_sub(1))
                        .ok_or(ConvertError::NoSuchPosition {
                            file: input.into(),
                            position,
                            found: headers.len(),
                        })?;
                if headers.iter().filter(|h| *h == name).count() > 1 {
                    return Err(ConvertError::AmbiguousPosition {
                        file: input.into(),
                        position,
                        name: name.clone(),
                    });
                }
                Ok(csv.column(name)?)
            }
            (None, None) => Err(ConvertError::NoSuchPosition {
                file: input.into(),
                position: 0,
                found: headers.len(),
            }),
        })
        .collect()
}

fn format_cell(row: &Row<'_>, col: &Column, format: Format) -> cnimap_data::Result<String> {
    let s = row.str(col);
    if s.is_empty() {
        return Ok(String::new());
    }
    Ok(match format {
        Format::Text => s.to_string(),
        Format::Integer => match parse_u32(s) {
            Some(n) => n.to_string(),
            None => return Err(row.bad(col, "a whole number")),
        },
        Format::Float => match parse_f64(s) {
            Some(x) => python_float(x),
            None => return Err(row.bad(col, "a number")),
        },
    })
}

/// LSOA code -> IMD decile, from the IMD 2025 file as cnimap reads it.
fn imd_deciles(path: &Path) -> Result<HashMap<String, u8>, ConvertError> {
    let mut csv = CsvFile::open(path)?;
    let code = csv.column(LSOA21_CODE)?;
    let decile = csv.column(IMD_DECILE)?;
    let mut out = HashMap::new();
    csv.for_each_row(|row| {
        out.insert(row.text(&code)?.to_string(), row.decile(&decile)?);
        Ok(())
    })?;
    Ok(out)
}

/// For each rank, whether dplyr's `ntile(rank, 10)` puts it in the first group: ties broken by
/// row order, and the first `n % 10` groups one larger than the rest.
pub fn ntile_first_decile(ranks: &[u32]) -> Vec<bool> {
    let n = ranks.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (ranks[i], i));
    let larger = n.div_ceil(10);
    let smaller = n / 10;
    let threshold = larger * (n % 10);
    let mut first = vec![false; n];
    for (pos0, &i) in order.iter().enumerate() {
        let x = pos0 + 1;
        let bin = if x <= threshold {
            x.div_ceil(larger)
        } else {
            (x - threshold + smaller - 1) / smaller.max(1) + n % 10
        };
        first[i] = bin == 1;
    }
    first
}

/// A float as Python's `repr` writes it (and so pandas' `to_csv`): the shortest digits that read
/// back the same, fixed notation from 1e-4 up to 1e16 with at least one decimal ("157.0"),
/// scientific otherwise ("1e-05", "1.5e+16").
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let e = format!("{x:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

fn write_csv(output: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), ConvertError> {
    let werr = |source: std::io::Error| ConvertError::Write {
        file: output.into(),
        source,
    };
    let file = File::create(output).map_err(werr)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::with_capacity(1 << 16, file));
    let to_io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record(header).map_err(|e| werr(to_io(e)))?;
    for r in rows {
        w.write_record(r).map_err(|e| werr(to_io(e)))?;
    }
    let buf = w
        .into_inner()
        .map_err(|e| werr(std::io::Error::other(e.to_string())))?;
    let file = buf
        .into_inner()
        .map_err(|e| werr(std::io::Error::other(e.to_string())))?;
    file.sync_all().map_err(werr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_writes_them() {
        for (x, want) in [
            (157.0, "157.0"),
            (8.742, "8.742"),
            (-1.771, "-1.771"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e16, "1.5e+16"),
            (1e15, "1000000000000000.0"),
            (16.2795810699463, "16.2795810699463"),
            (0.013, "0.013"),
            (-2.5e-7, "-2.5e-07"),
        ] {
            assert_eq!(python_float(x), want, "{x}");
        }
    }

    #[test]
    fn ntile_gives_the_first_groups_one_more_when_n_does_not_divide() {
        // 33,755 LSOAs: 5 groups of 3,376 then 5 of 3,375, so decile 1 is ranks 1..=3376.
        let ranks: Vec<u32> = (1..=33_755).rev().collect();
        let first = ntile_first_decile(&ranks);
        assert_eq!(first.iter().filter(|f| **f).count(), 3376);
        assert!(first[33_755 - 3376], "rank 3376 is in the first group");
        assert!(!first[33_755 - 3377], "rank 3377 is not");
    }

    #[test]
    fn ntile_breaks_ties_by_row_order() {
        // 10 rows, one per group; two rows share rank 1: the earlier row is first.
        let ranks = [1, 1, 3, 4, 5, 6, 7, 8, 9, 10];
        let first = ntile_first_decile(&ranks);
        assert_eq!(
            first,
            [true, false, false, false, false, false, false, false, false, false]
        );
    }
}
