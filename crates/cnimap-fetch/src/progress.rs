//! A progress line per file on standard error: redrawn in place on a terminal; otherwise a line at
//! each quarter of a large file (so CI logs stay short).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Off a terminal, files at least this big get a line at each quarter.
const QUARTERS_FROM: u64 = 10_000_000;

/// Progress of one download.
pub struct Progress {
    label: String,
    total: Option<u64>,
    done: u64,
    tty: bool,
    last_draw: Option<Instant>,
    last_quarter: u64,
    quiet: bool,
}

impl Progress {
    /// Starts reporting on `label` ("[3/31] indicators/imd2025_lsoa21.csv"); `total` when the size
    /// is known, `start` when resuming a partial file.
    pub fn new(label: String, total: Option<u64>, start: u64, quiet: bool) -> Progress {
        Progress {
            label,
            total,
            done: start,
            tty: std::io::stderr().is_terminal(),
            last_draw: None,
            last_quarter: 0,
            quiet,
        }
    }

    /// Adds `n` bytes received.
    pub fn add(&mut self, n: u64) {
        self.done += n;
        if self.quiet {
            return;
        }
        if self.tty {
            let due = self
                .last_draw
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(200));
            if due {
                self.last_draw = Some(Instant::now());
                let mut err = std::io::stderr().lock();
                // A failed write to the terminal is not worth failing a download for.
                let _ = write!(err, "\r{}\x1b[K", self.line());
                let _ = err.flush();
            }
        } else if let Some(total) = self.total.filter(|t| *t >= QUARTERS_FROM) {
            let quarter = self.done.saturating_mul(4) / total;
            if quarter > self.last_quarter && quarter < 4 {
                self.last_quarter = quarter;
                tracing::info!("{}", self.line());
            }
        }
    }

    /// Clears the in-place line (the caller then logs the outcome).
    pub fn finish(&self) {
        if self.tty && !self.quiet && self.last_draw.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }

    fn line(&self) -> String {
        match self.total {
            Some(t) if t > 0 => format!(
                "{}  {} / {}  {:>3}%",
                self.label,
                human_bytes(self.done),
                human_bytes(t),
                self.done.saturating_mul(100) / t
            ),
            _ => format!("{}  {}", self.label, human_bytes(self.done)),
        }
    }
}

/// "4.2 MB", "812 KB", "96 B" (decimal units, as download sizes are usually shown).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1000.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = u;
    }
    if v < 10.0 {
        format!("{v:.1} {unit}")
    } else {
        format!("{v:.0} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(96), "96 B");
        assert_eq!(human_bytes(4_162_942), "4.2 MB");
        assert_eq!(human_bytes(185_500_000), "186 MB");
        assert_eq!(human_bytes(1_000), "1.0 KB");
    }
}
