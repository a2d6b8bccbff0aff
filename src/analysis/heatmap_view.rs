//! A heatmap prepared for drawing: columns merged down to what a chart can show, cells as
//! display intensities row by row, and the p50/p90/p99 overlays as row positions.

use super::heatmap::{Heatmap, OVERLAY_QUANTILES};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatmapView {
    /// Unix seconds of the first column's start, and each column's width.
    pub start: f64,
    pub column_width: f64,
    pub columns: usize,
    pub rows: usize,
    /// Row edges in the histogram's unit (for axis labels).
    pub bounds: Vec<f64>,
    /// Row-major (lowest row first) mean values of merged columns; no data is 0.
    pub values: Vec<f64>,
    /// Per quantile: (q, x, row position) points; row position `r + f` is `f` of the way
    /// through row `r`.
    pub overlays: Vec<(f64, Vec<[f64; 2]>)>,
    /// Heatmaps in the result besides this one (other label groups), not drawn.
    pub more: usize,
}

/// Merges `heatmap`'s columns into at most `max_columns` (each the mean of its columns) and
/// places the quantile overlays on the row scale.
pub fn heatmap_view(heatmap: &Heatmap, max_columns: usize, more: usize) -> HeatmapView {
    let (columns_in, rows) = (heatmap.columns(), heatmap.rows());
    if columns_in == 0 || rows == 0 {
        return HeatmapView {
            more,
            ..HeatmapView::default()
        };
    }
    let per = columns_in.div_ceil(max_columns.max(1));
    let columns = columns_in.div_ceil(per);
    let step = if columns_in > 1 {
        (heatmap.timestamps[columns_in - 1] - heatmap.timestamps[0]) / (columns_in - 1) as f64
    } else {
        1.0
    };
    let mut values = vec![0.0; columns * rows];
    for out in 0..columns {
        let from = out * per;
        let to = ((out + 1) * per).min(columns_in);
        for row in 0..rows {
            let (mut sum, mut n) = (0.0, 0);
            for c in from..to {
                let v = heatmap.column(c)[row];
                if v.is_finite() {
                    sum += v;
                    n += 1;
                }
            }
            values[row * columns + out] = if n > 0 { sum / f64::from(n) } else { 0.0 };
        }
    }
    let overlays = OVERLAY_QUANTILES
        .iter()
        .map(|&q| {
            let points = heatmap
                .quantile_line(q)
                .into_iter()
                .enumerate()
                .filter_map(|(c, v)| {
                    row_position(&heatmap.bounds, v).map(|y| [heatmap.timestamps[c], y])
                })
                .collect();
            (q, points)
        })
        .collect();
    HeatmapView {
        start: heatmap.timestamps[0] - step / 2.0,
        column_width: step * per as f64,
        columns,
        rows,
        bounds: heatmap.bounds.clone(),
        values,
        overlays,
        more,
    }
}

/// Where `value` falls on the row scale: row index plus the fraction through that row (rows
/// are drawn equally tall whatever their bounds). `None` for NaN.
pub fn row_position(bounds: &[f64], value: f64) -> Option<f64> {
    if !value.is_finite() || bounds.len() < 2 {
        return None;
    }
    let rows = bounds.len() - 1;
    let r = bounds[1..]
        .partition_point(|&upper| upper < value)
        .min(rows - 1);
    let (lo, hi) = (bounds[r], bounds[r + 1]);
    let fraction = if hi.is_finite() && lo.is_finite() && hi > lo {
        ((value - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    Some(r as f64 + fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heatmap::{HeatmapKind, HeatmapStats};
    use crate::model::Labels;

    fn heatmap() -> Heatmap {
        // 4 columns, 2 rows: [0, 1) and [1, +Inf).
        Heatmap {
            kind: HeatmapKind::Classic,
            labels: Labels::default(),
            timestamps: vec![10.0, 20.0, 30.0, 40.0],
            bounds: vec![0.0, 1.0, f64::INFINITY],
            cells: vec![1.0, 0.0, 3.0, 0.0, f64::NAN, 2.0, 5.0, 4.0],
            stats: HeatmapStats::default(),
        }
    }

    #[test]
    fn columns_merge_by_mean_and_no_data_is_zero() {
        let v = heatmap_view(&heatmap(), 2, 0);
        assert_eq!((v.columns, v.rows), (2, 2));
        assert_eq!(v.start, 5.0);
        assert_eq!(v.column_width, 20.0);
        // Row 0: mean(1, 3), mean(NaN→skipped, 5); row 1: mean(0, 0), mean(2, 4).
        assert_eq!(v.values, [2.0, 5.0, 0.0, 3.0]);
        assert_eq!(v.overlays.len(), 3);
    }

    #[test]
    fn values_land_inside_their_row() {
        let bounds = [0.0, 0.1, 0.5, f64::INFINITY];
        assert_eq!(row_position(&bounds, 0.05), Some(0.5));
        assert_eq!(row_position(&bounds, 0.3), Some(1.5));
        assert_eq!(row_position(&bounds, 7.0), Some(2.5));
        assert_eq!(row_position(&bounds, f64::NAN), None);
    }
}
