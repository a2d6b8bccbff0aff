//! Histograms as heatmaps: time columns × bucket rows of per-bucket (non-cumulative) values,
//! built from classic `_bucket` series (label `le`) or from native histogram series, with the
//! quantile lines Prometheus' `histogram_quantile` would draw over them and a colour scale.
//!
//! Pure: no drawing, no I/O. The grid is one flat `Vec<f64>` so 11,000 columns × 40 rows cost
//! one allocation and recomputing it (or its quantiles) stays cheap (see BENCHMARKS.md).
//!
//! Rules, so the picture and the numbers agree with Prometheus:
//! - Classic: buckets sort numerically by `le`; equal `le` values are summed (Prometheus'
//!   "coalesce"). The lowest row starts at 0 when its upper bound is above 0, else at −∞.
//!   A cell is its bucket's cumulative value minus the largest cumulative value of the present
//!   buckets below it; a decrease (counter reset, float noise) becomes 0 and is counted, which
//!   is Prometheus' monotonicity fix. A bucket with no sample at a time (or a NaN sample) is a
//!   NaN cell and is treated as absent, as `histogram_quantile` treats a missing series.
//! - Native: rows are the union of every bucket boundary of every sample, so schemas that
//!   change over time share one grid. A bucket covering several rows is spread over them in
//!   proportion to the logarithm of their widths when it lies on one side of zero (exponential
//!   buckets of a coarser schema split evenly into the finer ones), linearly when it straddles
//!   zero; a bucket with an infinite bound goes wholly to the row next to its finite bound, and
//!   a zero-width bucket to the row that starts at (or, at the top, ends at) its bound.
//! - Quantiles: classic columns follow Prometheus' `bucketQuantile` exactly (linear within the
//!   bucket, rank in the +Inf bucket → upper bound of the bucket below it, NaN without a +Inf
//!   bucket or with under two buckets or no observations). Prometheus 3 also snaps relative
//!   differences below 1e-12 between neighbouring buckets; here they stay, which moves a
//!   quantile by far less than 1e-9. Native columns interpolate linearly within the regridded
//!   rows, as Prometheus 2 does within native buckets (the zero bucket starting at 0 when all
//!   observations are positive): equal to the server's answer while the bucket layout stays the
//!   same. Prometheus 3 interpolates exponentially inside native buckets, so against it native
//!   quantiles are an approximation.

use crate::model::{HistogramBucket, HistogramSeries, Labels, QueryResult, Series};
use std::collections::BTreeMap;

/// The quantiles drawn over a heatmap by default: p50, p90, p99.
pub const OVERLAY_QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// Where the rows came from; it decides the quantile rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeatmapKind {
    /// Classic `_bucket` series with an `le` label.
    Classic,
    /// A native histogram series.
    Native,
}

/// What building a heatmap had to fix or leave out, so the UI can say so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeatmapStats {
    /// Cells with no sample: the bucket's series has no point at that time.
    pub missing_cells: usize,
    /// Samples whose value (or native bucket count) was NaN; their cells are NaN / left out.
    pub nan_values: usize,
    /// Negative per-bucket values (counter resets, float noise) set to 0.
    pub clamped_negative: usize,
    /// Native buckets spread over more than one row because boundaries changed over time.
    pub spread_buckets: usize,
}

/// One heatmap: columns are times, rows are buckets.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub kind: HeatmapKind,
    /// The labels the grouped series share (all but `le`), or the native series' labels.
    pub labels: Labels,
    /// Column times in Unix seconds, ascending.
    pub timestamps: Vec<f64>,
    /// Row edges, ascending, `rows() + 1` of them: row `r` spans `bounds[r]..bounds[r + 1]`.
    pub bounds: Vec<f64>,
    /// Per-bucket values, column-major: `cells[column * rows() + row]`. NaN means no data.
    pub cells: Vec<f64>,
    pub stats: HeatmapStats,
}

impl Heatmap {
    pub fn rows(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    pub fn columns(&self) -> usize {
        self.timestamps.len()
    }

    /// The cells of one column, lowest row first.
    pub fn column(&self, column: usize) -> &[f64] {
        let rows = self.rows();
        &self.cells[column * rows..(column + 1) * rows]
    }

    /// The `q` quantile of one column (see the module docs for the rules).
    pub fn quantile(&self, q: f64, column: usize) -> f64 {
        let cells = self.column(column);
        match self.kind {
            HeatmapKind::Classic => classic_quantile(q, &self.bounds, cells),
            HeatmapKind::Native => native_quantile(q, &self.bounds, cells),
        }
    }

    /// The `q` quantile of every column, one value per timestamp.
    pub fn quantile_line(&self, q: f64) -> Vec<f64> {
        (0..self.columns()).map(|c| self.quantile(q, c)).collect()
    }
}

/// Heatmaps for everything in a query result that is a histogram.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatmapSet {
    /// Classic groups first (sorted by labels), then one per native series in result order.
    pub heatmaps: Vec<Heatmap>,
    /// Float series without a usable `le` label (not a bucket series), left out.
    pub series_without_le: usize,
}

/// Builds a heatmap per classic bucket group and per native histogram series of `result`.
pub fn heatmaps(result: &QueryResult) -> HeatmapSet {
    let mut set = classic_heatmaps(&result.series);
    set.heatmaps
        .extend(result.histograms.iter().map(native_heatmap));
    set
}

/// Groups `_bucket` series by all labels except `le` and builds one heatmap per group.
pub fn classic_heatmaps(series: &[Series]) -> HeatmapSet {
    let mut groups: BTreeMap<Labels, Vec<(f64, &Series)>> = BTreeMap::new();
    let mut series_without_le = 0;
    for s in series {
        let Some(le) = s.labels.get("le").and_then(parse_le) else {
            series_without_le += 1;
            continue;
        };
        let rest = Labels::new(
            s.labels
                .iter()
                .filter(|(k, _)| *k != "le")
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        );
        groups.entry(rest).or_default().push((le, s));
    }
    let heatmaps = groups
        .into_iter()
        .map(|(labels, buckets)| classic_heatmap(labels, buckets))
        .collect();
    HeatmapSet {
        heatmaps,
        series_without_le,
    }
}

/// Parses an `le` value as Prometheus writes it: `0.1`, `1e-05`, `+Inf`.
pub fn parse_le(le: &str) -> Option<f64> {
    // Rust accepts "+Inf", "inf" and "1e-05"; a NaN bound is meaningless.
    le.trim().parse::<f64>().ok().filter(|v| !v.is_nan())
}

fn classic_heatmap(labels: Labels, mut buckets: Vec<(f64, &Series)>) -> Heatmap {
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Equal bounds (`1` and `1.0`) are one bucket, as in Prometheus.
    let mut uppers: Vec<f64> = buckets.iter().map(|b| b.0).collect();
    uppers.dedup();
    let rows = uppers.len();
    let timestamps = union_of_timestamps(buckets.iter().map(|b| b.1.timestamps.as_slice()));
    let columns = timestamps.len();
    let mut stats = HeatmapStats::default();

    // Row-major while filling and differencing, so every pass reads and writes contiguously;
    // one blocked transpose at the end gives the column-major grid. NaN marks "no sample".
    let mut by_row = vec![f64::NAN; rows * columns];
    let mut filled = vec![false; rows * columns];
    let mut row = 0;
    for (i, (le, s)) in buckets.iter().enumerate() {
        if i > 0 && *le != buckets[i - 1].0 {
            row += 1;
        }
        let cells = &mut by_row[row * columns..(row + 1) * columns];
        let filled = &mut filled[row * columns..(row + 1) * columns];
        for_each_column(&timestamps, &s.timestamps, |point, column| {
            let v = s.values[point];
            if v.is_nan() {
                stats.nan_values += 1;
            } else if filled[column] {
                cells[column] += v;
            } else {
                cells[column] = v;
            }
            filled[column] = true;
        });
    }
    stats.missing_cells = filled.iter().filter(|f| !**f).count();

    // Per-bucket values: each present bucket minus the running maximum below it.
    let mut below = vec![0.0_f64; columns];
    for cells in by_row.chunks_exact_mut(columns.max(1)) {
        for (cell, below) in cells.iter_mut().zip(&mut below) {
            let v = *cell;
            if v.is_nan() {
                continue;
            }
            let d = v - *below;
            if d < 0.0 {
                stats.clamped_negative += 1;
                *cell = 0.0;
            } else {
                *cell = d;
                *below = v;
            }
        }
    }
    let cells = transpose(&by_row, rows, columns);

    let lowest = match uppers.first() {
        Some(&u) if u > 0.0 => 0.0,
        _ => f64::NEG_INFINITY,
    };
    let mut bounds = Vec::with_capacity(rows + 1);
    bounds.push(lowest);
    bounds.extend_from_slice(&uppers);
    Heatmap {
        kind: HeatmapKind::Classic,
        labels,
        timestamps,
        bounds,
        cells,
        stats,
    }
}

/// `rows × columns` row-major → column-major, in blocks that stay in cache.
fn transpose(by_row: &[f64], rows: usize, columns: usize) -> Vec<f64> {
    const BLOCK: usize = 64;
    let mut out = vec![0.0; rows * columns];
    for c0 in (0..columns).step_by(BLOCK) {
        let c1 = (c0 + BLOCK).min(columns);
        for r in 0..rows {
            let from = &by_row[r * columns + c0..r * columns + c1];
            for (i, &v) in from.iter().enumerate() {
                out[(c0 + i) * rows + r] = v;
            }
        }
    }
    out
}

/// The sorted union of several ascending timestamp columns (one pass when they are equal).
fn union_of_timestamps<'a>(columns: impl Iterator<Item = &'a [f64]> + Clone) -> Vec<f64> {
    let mut all = columns.clone();
    let Some(first) = all.next() else {
        return Vec::new();
    };
    if all.all(|c| c == first) {
        return first.to_vec();
    }
    let mut union: Vec<f64> = columns.flatten().copied().collect();
    union.sort_by(f64::total_cmp);
    union.dedup();
    union
}

/// Calls `f(point, column)` for each point of `times` with its column in `columns`.
/// Both are ascending (Prometheus sorts samples); a point not found in `columns` is skipped.
fn for_each_column(columns: &[f64], times: &[f64], mut f: impl FnMut(usize, usize)) {
    if columns == times {
        (0..times.len()).for_each(|i| f(i, i));
        return;
    }
    let mut column = 0;
    for (point, &t) in times.iter().enumerate() {
        while column < columns.len() && columns[column] < t {
            column += 1;
        }
        if column < columns.len() && columns[column] == t {
            f(point, column);
        }
    }
}

/// One heatmap from a native histogram series, on the union of its bucket boundaries.
pub fn native_heatmap(series: &HistogramSeries) -> Heatmap {
    // Consecutive samples usually share their bucket layout: look at each layout once.
    let mut bounds = Vec::new();
    let mut previous: &[HistogramBucket] = &[];
    for (_, h) in series.iter() {
        if !same_layout(previous, h.buckets) {
            bounds.extend(h.buckets.iter().flat_map(|b| [b.lower, b.upper]));
        }
        previous = h.buckets;
    }
    bounds.retain(|v| !v.is_nan());
    bounds.sort_by(f64::total_cmp);
    // -0.0 and 0.0 are one boundary.
    bounds.dedup_by(|a, b| a == b);
    if bounds.len() == 1 {
        // Only zero-width buckets at one value: one degenerate row holds them.
        bounds.push(bounds[0]);
    }
    let rows = bounds.len().saturating_sub(1);
    // Each row's share weight inside a bucket that spans it on one side of zero.
    let log_widths: Vec<f64> = bounds
        .windows(2)
        .map(|w| (w[1] / w[0]).ln().abs())
        .collect();
    let columns = series.len();
    let mut cells = vec![0.0; rows * columns];
    let mut stats = HeatmapStats::default();
    // (first row, end row) of each bucket of the current layout.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    previous = &[];
    for (column, (_, h)) in series.iter().enumerate() {
        if spans.len() != h.buckets.len() || !same_layout(previous, h.buckets) {
            spans.clear();
            spans.extend(
                h.buckets
                    .iter()
                    .map(|b| (row_of(&bounds, b.lower), row_of(&bounds, b.upper))),
            );
        }
        previous = h.buckets;
        let cells = &mut cells[column * rows..(column + 1) * rows];
        for (b, &(lo, hi)) in h.buckets.iter().zip(&spans) {
            let count = if b.count.is_nan() {
                stats.nan_values += 1;
                continue;
            } else if b.count < 0.0 {
                stats.clamped_negative += 1;
                0.0
            } else {
                b.count
            };
            if hi <= lo + 1 || b.lower.is_infinite() || b.upper.is_infinite() {
                // One row: the row starting at the lower bound, or the top row.
                let row = if b.lower.is_infinite() {
                    hi.saturating_sub(1)
                } else {
                    lo.min(rows - 1)
                };
                cells[row] += count;
                continue;
            }
            stats.spread_buckets += 1;
            let logarithmic = b.lower > 0.0 || b.upper < 0.0;
            let weight = |r: usize| {
                if logarithmic {
                    log_widths[r]
                } else {
                    bounds[r + 1] - bounds[r]
                }
            };
            let total: f64 = (lo..hi).map(weight).sum();
            for (r, cell) in cells.iter_mut().enumerate().take(hi).skip(lo) {
                *cell += count * weight(r) / total;
            }
        }
    }
    Heatmap {
        kind: HeatmapKind::Native,
        labels: series.labels.clone(),
        timestamps: series.timestamps.clone(),
        bounds,
        cells,
        stats,
    }
}

/// Whether two samples have the same bucket bounds (counts aside).
fn same_layout(a: &[HistogramBucket], b: &[HistogramBucket]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.lower == y.lower && x.upper == y.upper)
}

/// Index of `v` in `bounds` (it is one of them).
fn row_of(bounds: &[f64], v: f64) -> usize {
    bounds.partition_point(|b| *b < v)
}

/// Prometheus' `bucketQuantile` over one classic column. NaN cells are absent buckets.
fn classic_quantile(q: f64, bounds: &[f64], cells: &[f64]) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    // First pass: the total, how many buckets are present and the top one's bound.
    let (mut observations, mut buckets, mut top) = (0.0, 0usize, f64::NAN);
    for (c, upper) in cells.iter().zip(&bounds[1..]) {
        if !c.is_nan() {
            observations += c;
            buckets += 1;
            top = *upper;
        }
    }
    if top != f64::INFINITY || buckets < 2 || observations == 0.0 {
        return f64::NAN;
    }
    let rank = q * observations;
    // Second pass: the first present bucket whose cumulative count reaches the rank.
    let (mut cumulative, mut seen) = (0.0, 0);
    let mut below: Option<(f64, f64)> = None;
    for (c, &upper) in cells.iter().zip(&bounds[1..]) {
        if c.is_nan() {
            continue;
        }
        seen += 1;
        if seen == buckets {
            // The rank is in the +Inf bucket: answer the highest finite bound.
            return below.map_or(f64::NAN, |(u, _)| u);
        }
        cumulative += c;
        if cumulative >= rank {
            let (start, count_below) = match below {
                None if upper <= 0.0 => return upper,
                None => (0.0, 0.0),
                Some(b) => b,
            };
            let count = cumulative - count_below;
            return start + (upper - start) * ((rank - count_below) / count);
        }
        below = Some((upper, cumulative));
    }
    f64::NAN
}

/// Linear interpolation within the rows of one native column, as Prometheus 2 does within
/// native buckets (the zero bucket starts or ends at 0 when only one side has observations).
fn native_quantile(q: f64, bounds: &[f64], cells: &[f64]) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let total: f64 = cells.iter().filter(|c| !c.is_nan()).sum();
    if total <= 0.0 {
        return f64::NAN;
    }
    let rank = q * total;
    let mut cumulative = 0.0;
    let mut last_nonempty = None;
    for (row, &c) in cells.iter().enumerate() {
        if c.is_nan() || c <= 0.0 {
            continue;
        }
        last_nonempty = Some(row);
        if cumulative + c >= rank {
            let (mut lower, mut upper) = (bounds[row], bounds[row + 1]);
            if lower < 0.0 && upper > 0.0 {
                // The zero bucket: with observations on one side only, it ends at 0 (as Prometheus).
                let filled = |r: usize| cells[r] > 0.0;
                let negative = (0..cells.len()).any(|r| bounds[r + 1] <= 0.0 && filled(r));
                let positive = (0..cells.len()).any(|r| bounds[r] >= 0.0 && filled(r));
                if positive && !negative {
                    lower = 0.0;
                } else if negative && !positive {
                    upper = 0.0;
                }
            }
            return lower + (upper - lower) * ((rank - cumulative) / c);
        }
        cumulative += c;
    }
    // Float rounding left the rank just above the total: the top of the highest bucket.
    last_nonempty.map_or(f64::NAN, |row| bounds[row + 1])
}

/// How a cell value maps to colour intensity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorScale {
    #[default]
    Linear,
    /// Square root: lifts small values without hiding the difference between large ones.
    Sqrt,
    /// Logarithmic between the smallest positive value and the largest.
    Log,
}

/// Maps values to intensities in `0.0..=1.0` for one set of values (a grid or a column).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Intensity {
    pub scale: ColorScale,
    /// Largest finite value seen; 0 when there was none above zero.
    pub max: f64,
    /// Smallest positive value seen (the bottom of the log scale).
    pub min_positive: f64,
}

impl Intensity {
    /// The range of `values`, ignoring NaN, infinities and values ≤ 0.
    pub fn new(scale: ColorScale, values: &[f64]) -> Self {
        let (mut max, mut min_positive) = (0.0_f64, f64::INFINITY);
        for &v in values {
            if v.is_finite() && v > 0.0 {
                max = max.max(v);
                min_positive = min_positive.min(v);
            }
        }
        Self {
            scale,
            max,
            min_positive: if max > 0.0 { min_positive } else { 0.0 },
        }
    }

    /// The intensity of `v`: `None` for NaN (no data, draw nothing), 0 for ≤ 0, 1 at the max.
    pub fn of(&self, v: f64) -> Option<f32> {
        if v.is_nan() {
            return None;
        }
        if v <= 0.0 || self.max <= 0.0 {
            return Some(0.0);
        }
        let v = v.min(self.max);
        let x = match self.scale {
            ColorScale::Linear => v / self.max,
            ColorScale::Sqrt => (v / self.max).sqrt(),
            ColorScale::Log => {
                let span = (self.max / self.min_positive).ln();
                if span <= 0.0 {
                    1.0
                } else {
                    // The smallest positive value still shows, faintly.
                    let floor = 0.05;
                    floor + (1.0 - floor) * ((v / self.min_positive).ln() / span).max(0.0)
                }
            }
        };
        Some(x.clamp(0.0, 1.0) as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(le: &str, timestamps: &[f64], values: &[f64]) -> Series {
        Series {
            labels: Labels::new(vec![("le".into(), le.into()), ("job".into(), "api".into())]),
            timestamps: timestamps.to_vec(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn buckets_sort_numerically_and_become_per_bucket_values() {
        let t = [1.0];
        let set = classic_heatmaps(&[
            bucket("+Inf", &t, &[10.0]),
            bucket("1e-05", &t, &[1.0]),
            bucket("0.1", &t, &[4.0]),
            bucket("10", &t, &[9.0]),
        ]);
        assert_eq!(set.heatmaps.len(), 1);
        let h = &set.heatmaps[0];
        assert_eq!(h.bounds, vec![0.0, 1e-5, 0.1, 10.0, f64::INFINITY]);
        assert_eq!(h.column(0), &[1.0, 3.0, 5.0, 1.0]);
        assert_eq!(h.labels.get("le"), None);
        assert_eq!(h.labels.get("job"), Some("api"));
    }

    #[test]
    fn a_reset_is_clamped_to_zero_and_counted() {
        let set = classic_heatmaps(&[
            bucket("1", &[1.0], &[5.0]),
            bucket("2", &[1.0], &[4.0]),
            bucket("+Inf", &[1.0], &[6.0]),
        ]);
        let h = &set.heatmaps[0];
        assert_eq!(h.column(0), &[5.0, 0.0, 1.0]);
        assert_eq!(h.stats.clamped_negative, 1);
    }

    #[test]
    fn a_missing_bucket_is_nan_and_the_next_bucket_spans_it() {
        let set = classic_heatmaps(&[
            bucket("1", &[1.0, 2.0], &[1.0, 1.0]),
            bucket("2", &[1.0], &[3.0]),
            bucket("4", &[1.0, 2.0], &[4.0, 5.0]),
            bucket("+Inf", &[1.0, 2.0], &[4.0, 5.0]),
        ]);
        let h = &set.heatmaps[0];
        assert_eq!(h.column(0), &[1.0, 2.0, 1.0, 0.0]);
        assert!(h.column(1)[1].is_nan());
        assert_eq!(h.column(1)[2], 4.0);
        assert_eq!(h.stats.missing_cells, 1);
        // As if the le=2 series did not exist at t=2: rank 2.5 in (1, 4] → 1 + 3 × 1.5/4.
        assert!((h.quantile(0.5, 1) - 2.125).abs() < 1e-12);
    }

    #[test]
    fn classic_quantile_follows_prometheus_edge_rules() {
        let bounds = [0.0, 1.0, 2.0, f64::INFINITY];
        // Rank in the +Inf bucket → the highest finite bound.
        assert_eq!(classic_quantile(0.99, &bounds, &[1.0, 1.0, 8.0]), 2.0);
        // Linear within the lowest bucket, which starts at 0.
        assert_eq!(classic_quantile(0.05, &bounds, &[1.0, 1.0, 8.0]), 0.5);
        // No +Inf bucket, no observations, or q outside [0, 1].
        assert!(classic_quantile(0.5, &[0.0, 1.0, 2.0], &[1.0, 1.0]).is_nan());
        assert!(classic_quantile(0.5, &bounds, &[0.0, 0.0, 0.0]).is_nan());
        assert_eq!(
            classic_quantile(-0.1, &bounds, &[1.0, 1.0, 1.0]),
            f64::NEG_INFINITY
        );
        assert_eq!(
            classic_quantile(1.1, &bounds, &[1.0, 1.0, 1.0]),
            f64::INFINITY
        );
        // A lowest bucket at or below 0 answers its upper bound.
        let negative = [f64::NEG_INFINITY, -1.0, 1.0, f64::INFINITY];
        assert_eq!(classic_quantile(0.1, &negative, &[5.0, 5.0, 0.0]), -1.0);
    }

    fn native(samples: &[&[(f64, f64, f64)]]) -> HistogramSeries {
        let mut s = HistogramSeries::default();
        for (i, buckets) in samples.iter().enumerate() {
            let buckets: Vec<HistogramBucket> = buckets
                .iter()
                .map(|&(lower, upper, count)| HistogramBucket {
                    lower,
                    upper,
                    count,
                    ..HistogramBucket::default()
                })
                .collect();
            let total = buckets.iter().map(|b| b.count).sum();
            s.push(i as f64, total, 0.0, &buckets);
        }
        s
    }

    #[test]
    fn a_coarser_schema_splits_evenly_into_the_finer_rows() {
        // Schema 0 (factor 2) then schema 1 (factor √2).
        let r = 2f64.sqrt();
        let s = native(&[&[(1.0, 2.0, 4.0)], &[(1.0, r, 1.0), (r, 2.0, 3.0)]]);
        let h = native_heatmap(&s);
        assert_eq!(h.bounds, vec![1.0, r, 2.0]);
        assert!((h.column(0)[0] - 2.0).abs() < 1e-12 && (h.column(0)[1] - 2.0).abs() < 1e-12);
        assert_eq!(h.column(1), &[1.0, 3.0]);
        assert_eq!(h.stats.spread_buckets, 1);
    }

    #[test]
    fn intensity_survives_all_zero_columns_and_nan() {
        for scale in [ColorScale::Linear, ColorScale::Sqrt, ColorScale::Log] {
            let i = Intensity::new(scale, &[0.0, 0.0]);
            assert_eq!(i.of(0.0), Some(0.0));
            assert_eq!(i.of(f64::NAN), None);
            let i = Intensity::new(scale, &[0.0, 1.0, 100.0]);
            assert_eq!(i.of(100.0), Some(1.0));
            assert_eq!(i.of(0.0), Some(0.0));
            assert!(i.of(1.0).unwrap() > 0.0 && i.of(1.0).unwrap() < i.of(50.0).unwrap());
        }
        let sqrt = Intensity::new(ColorScale::Sqrt, &[4.0]);
        assert_eq!(sqrt.of(1.0), Some(0.5));
    }
}
