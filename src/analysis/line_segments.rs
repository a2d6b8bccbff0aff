//! Splitting a series into the runs a line chart should connect.
//!
//! A chart must not draw a line across missing data: Prometheus leaves out steps where a
//! series had no sample, and NaN or infinite values cannot be placed on an axis.

use std::ops::Range;

/// Index ranges of consecutive finite samples no further apart than 1.5 × `step`.
pub fn line_segments(timestamps: &[f64], values: &[f64], step: f64) -> Vec<Range<usize>> {
    let max_gap = step * 1.5;
    let mut segments = Vec::new();
    let mut start: Option<usize> = None;
    let n = timestamps.len().min(values.len());
    for i in 0..n {
        let finite = values[i].is_finite();
        let gap = i > 0 && timestamps[i] - timestamps[i - 1] > max_gap;
        match (start, finite) {
            (Some(s), true) if gap => {
                segments.push(s..i);
                start = Some(i);
            }
            (Some(s), false) => {
                segments.push(s..i);
                start = None;
            }
            (None, true) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        segments.push(s..n);
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuous_series_is_one_segment() {
        assert_eq!(line_segments(&[0., 1., 2.], &[1., 2., 3.], 1.0), vec![0..3]);
    }

    #[test]
    fn missing_steps_split_the_line() {
        assert_eq!(
            line_segments(&[0., 1., 5., 6.], &[1., 1., 1., 1.], 1.0),
            vec![0..2, 2..4]
        );
    }

    #[test]
    fn nan_and_infinity_are_left_out() {
        assert_eq!(
            line_segments(
                &[0., 1., 2., 3., 4.],
                &[1., f64::NAN, 1., f64::INFINITY, 1.],
                1.0
            ),
            vec![0..1, 2..3, 4..5]
        );
    }

    #[test]
    fn empty_series_has_no_segments() {
        assert!(line_segments(&[], &[], 1.0).is_empty());
    }
}
