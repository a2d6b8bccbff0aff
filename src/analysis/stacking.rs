//! Stacked series: each series drawn on top of the ones before it, matched by timestamp.

use crate::model::ChartSeries;

/// The cumulative values of `series` in order: entry `i` is series `i` plus every earlier
/// series at the same timestamp (within a millisecond: range query results share a grid).
/// Missing or non-finite values add nothing; a series' own NaN stays NaN so its line breaks.
pub fn stack(series: &[&ChartSeries]) -> Vec<Vec<f64>> {
    // Running totals keyed by timestamp in milliseconds; results are sorted by time, so a
    // sorted Vec with binary search stays small and fast.
    let mut totals: Vec<(i64, f64)> = Vec::new();
    let mut out = Vec::with_capacity(series.len());
    for s in series {
        let mut stacked = Vec::with_capacity(s.values.len());
        for (&t, &v) in s.timestamps.iter().zip(&s.values) {
            let key = (t * 1000.0).round() as i64;
            let slot = match totals.binary_search_by_key(&key, |e| e.0) {
                Ok(i) => i,
                Err(i) => {
                    totals.insert(i, (key, 0.0));
                    i
                }
            };
            if v.is_finite() {
                totals[slot].1 += v;
                stacked.push(totals[slot].1);
            } else {
                stacked.push(f64::NAN);
            }
        }
        out.push(stacked);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Labels, SeriesStats};

    fn series(t: &[f64], v: &[f64]) -> ChartSeries {
        ChartSeries {
            query: 0,
            name: String::new(),
            labels: Labels::default(),
            timestamps: t.to_vec(),
            values: v.to_vec(),
            step: 1.0,
            stats: SeriesStats::default(),
        }
    }

    #[test]
    fn stacks_by_timestamp_and_skips_gaps() {
        let a = series(&[0.0, 1.0, 2.0], &[1.0, 2.0, 3.0]);
        let b = series(&[1.0, 2.0, 3.0], &[10.0, f64::NAN, 30.0]);
        let c = series(&[0.0, 2.0], &[100.0, 100.0]);
        let stacked = stack(&[&a, &b, &c]);
        assert_eq!(stacked[0], [1.0, 2.0, 3.0]);
        assert_eq!(stacked[1][0], 12.0);
        assert!(stacked[1][1].is_nan());
        assert_eq!(stacked[1][2], 30.0);
        assert_eq!(stacked[2], [101.0, 103.0]);
    }
}
