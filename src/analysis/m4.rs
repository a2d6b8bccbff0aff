//! Per-pixel min/max (M4) decimation of a time series for line charts.
//!
//! Within one pixel column a polyline covers the pixels between its lowest and highest sample,
//! and it enters and leaves the column through the column's first and last sample. Keeping
//! only those four samples per column draws the same pixels as drawing every sample (Jugel et
//! al., "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014; exactly so for
//! a one-pixel aliased line, up to a few edge pixels for egui's anti-aliased strokes), so a
//! chart never draws more than about four points per pixel column, however long the series.
//!
//! The functions here work on one line segment: timestamps sorted ascending, values finite
//! (split a series with [`super::line_segments`] first, so gaps stay gaps). They never draw,
//! never reorder samples and never allocate per sample. Given NaN they still return a short
//! subsequence in time order, but which samples it holds is unspecified.

/// The samples of one line segment a chart needs to draw it over `x_range` in `columns`
/// pixel columns, as `(timestamps, values)` in time order.
///
/// See [`m4_indices`] for what is kept.
pub fn m4(
    timestamps: &[f64],
    values: &[f64],
    x_range: (f64, f64),
    columns: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut keep = Vec::new();
    m4_indices(timestamps, values, x_range, columns, &mut keep);
    keep.iter().map(|&i| (timestamps[i], values[i])).unzip()
}

/// Replaces the contents of `keep` with the indices (ascending, no duplicates) of the samples
/// of one line segment a chart needs to draw it over `x_range` in `columns` pixel columns.
///
/// `x_range` is split into `columns` equal columns; a sample at exactly `x_range.1` belongs
/// to the last one. For every column the first, last, lowest and highest sample is kept
/// (the earliest one on ties). Of the samples outside `x_range` only the nearest one on each
/// side is kept, so that the line still runs to the edge. A segment of no more than `columns`
/// samples is kept whole. With `columns == 0` nothing inside the range is kept. Never more
/// than `4 × columns + 2` indices.
///
/// `timestamps` must be sorted ascending; only the shorter of the two slices' lengths is used.
pub fn m4_indices(
    timestamps: &[f64],
    values: &[f64],
    (x0, x1): (f64, f64),
    columns: usize,
    keep: &mut Vec<usize>,
) {
    keep.clear();
    let n = timestamps.len().min(values.len());
    let (timestamps, values) = (&timestamps[..n], &values[..n]);
    if n <= columns {
        keep.extend(0..n);
        return;
    }
    let inside_start = timestamps.partition_point(|&t| t < x0);
    let inside_end = inside_start + timestamps[inside_start..].partition_point(|&t| t <= x1);
    if inside_start > 0 {
        keep.push(inside_start - 1);
    }
    if columns > 0 {
        let grid = ColumnGrid::new((x0, x1), columns);
        let inside = &timestamps[inside_start..inside_end];
        // Where a column ends is guessed from the mean spacing of the samples, then searched
        // for near the guess: a bisection from afar would miss the cache at every probe.
        let spacing = match inside {
            [first, .., last] => (last - first) / (inside.len() - 1) as f64,
            _ => 0.0,
        };
        let mut start = 0;
        while start < inside.len() {
            let column = grid.column(inside[start]);
            let rest = &inside[start + 1..];
            // Saturating: a zero spacing or an endless column guesses the end of the slice.
            let guess = ((grid.end(column) - inside[start]) / spacing) as usize;
            let end = start + 1 + partition_point_near(rest, guess, |t| grid.column(t) <= column);
            push_column(inside_start + start, inside_start + end, values, keep);
            start = end;
        }
    }
    if inside_end < n {
        keep.push(inside_end);
    }
}

/// Maps a timestamp inside the range to its column; monotone in the timestamp, because
/// correctly rounded subtraction and multiplication are.
struct ColumnGrid {
    x0: f64,
    /// Columns per unit of x; 0 for an empty range, so that everything is in column 0.
    scale: f64,
    last: usize,
}

impl ColumnGrid {
    fn new((x0, x1): (f64, f64), columns: usize) -> Self {
        let width = x1 - x0;
        let scale = if width > 0.0 {
            columns as f64 / width
        } else {
            0.0
        };
        Self {
            x0,
            scale,
            last: columns - 1,
        }
    }

    fn column(&self, t: f64) -> usize {
        // `as` saturates: negative and NaN give 0, +∞ gives usize::MAX.
        (((t - self.x0) * self.scale) as usize).min(self.last)
    }

    /// About where `column` ends (+∞ for the last); only a hint for the search.
    fn end(&self, column: usize) -> f64 {
        if column == self.last {
            f64::INFINITY
        } else {
            self.x0 + (column + 1) as f64 / self.scale
        }
    }
}

/// Pushes the first, lowest, highest and last sample of `start..end` (not empty) in index
/// order, without repeating an index.
fn push_column(start: usize, end: usize, values: &[f64], keep: &mut Vec<usize>) {
    let (low, high) = extremes(&values[start..end]);
    let (a, b) = (start + low.min(high), start + low.max(high));
    for i in [start, a, b, end - 1] {
        if keep.last() != Some(&i) {
            keep.push(i);
        }
    }
}

/// The positions of the first lowest and the first highest value of a non-empty slice.
fn extremes(values: &[f64]) -> (usize, usize) {
    if values.len() < BLOCK {
        return extremes_scalar(values);
    }
    // Blocks' extremes first, in independent lanes the compiler turns into SIMD min/max (a
    // plain loop waits on its own comparison for every sample); then the position inside
    // the one block that holds each extreme.
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut low_block, mut high_block) = (0, 0);
    for (b, block) in values.chunks(BLOCK).enumerate() {
        let (block_low, block_high) = block_low_high(block);
        if block_low < low {
            (low, low_block) = (block_low, b);
        }
        if block_high > high {
            (high, high_block) = (block_high, b);
        }
    }
    let position = |block: usize, target: f64| {
        let start = block * BLOCK;
        let block = &values[start..(start + BLOCK).min(values.len())];
        // None only when every value is NaN: then any sample will do.
        block
            .iter()
            .position(|&v| v == target)
            .map_or(0, |i| start + i)
    };
    (position(low_block, low), position(high_block, high))
}

/// Samples per block in [`extremes`]; shorter slices are scanned one sample at a time.
const BLOCK: usize = 64;

fn extremes_scalar(values: &[f64]) -> (usize, usize) {
    let (mut low, mut high) = (0, 0);
    for (i, &v) in values.iter().enumerate().skip(1) {
        // A NaN first sample gives way to the first number, as in the blocks' search.
        let replaces_nan = values[low].is_nan() && !v.is_nan();
        if v < values[low] || replaces_nan {
            low = i;
        }
        if v > values[high] || replaces_nan {
            high = i;
        }
    }
    (low, high)
}

/// The lowest and highest value of a block; ±∞ if it has only NaN.
fn block_low_high(block: &[f64]) -> (f64, f64) {
    const LANES: usize = 8;
    let mut low = [f64::INFINITY; LANES];
    let mut high = [f64::NEG_INFINITY; LANES];
    let chunks = block.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for ((low, high), &v) in low.iter_mut().zip(&mut high).zip(chunk) {
            *low = if v < *low { v } else { *low };
            *high = if v > *high { v } else { *high };
        }
    }
    for ((low, high), &v) in low.iter_mut().zip(&mut high).zip(rest) {
        *low = if v < *low { v } else { *low };
        *high = if v > *high { v } else { *high };
    }
    (
        low.into_iter().fold(f64::INFINITY, f64::min),
        high.into_iter().fold(f64::NEG_INFINITY, f64::max),
    )
}

/// Like `slice::partition_point`, but cheap when the answer is near `guess`: probes at
/// doubling distances from the guess, then bisects the last interval.
fn partition_point_near(s: &[f64], guess: usize, pred: impl Fn(f64) -> bool) -> usize {
    let guess = guess.min(s.len());
    if guess < s.len() && pred(s[guess]) {
        let after = guess + 1;
        after + gallop_forward(&s[after..], &pred)
    } else if guess > 0 && !pred(s[guess - 1]) {
        gallop_backward(&s[..guess], &pred)
    } else {
        guess
    }
}

/// `partition_point`, probing from the start.
fn gallop_forward(s: &[f64], pred: &impl Fn(f64) -> bool) -> usize {
    let mut bound = 1;
    while bound <= s.len() && pred(s[bound - 1]) {
        bound *= 2;
    }
    // Everything before bound / 2 holds; s[bound - 1], if any, does not.
    let lo = bound / 2;
    let hi = bound.min(s.len());
    lo + s[lo..hi].partition_point(|&t| pred(t))
}

/// `partition_point`, probing from the end.
fn gallop_backward(s: &[f64], pred: &impl Fn(f64) -> bool) -> usize {
    let len = s.len();
    let mut bound = 1;
    while bound <= len && !pred(s[len - bound]) {
        bound *= 2;
    }
    // Nothing from len - bound / 2 on holds; s[len - bound], if any, does.
    let hi = len - bound / 2;
    let lo = if bound <= len { len - bound + 1 } else { 0 };
    lo + s[lo..hi].partition_point(|&t| pred(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(timestamps: &[f64], values: &[f64], x_range: (f64, f64), columns: usize) -> Vec<usize> {
        let mut keep = vec![99]; // reused buffers come in dirty
        m4_indices(timestamps, values, x_range, columns, &mut keep);
        keep
    }

    #[test]
    fn m4_keeps_extremes_of_every_pixel_column() {
        // Two columns over [0, 10): samples 0..5 fall in the first, 5..10 in the second.
        let t: Vec<f64> = (0..10).map(f64::from).collect();
        let v = [5., 9., 1., 4., 6., 3., 3., 8., 0., 2.];
        // Column 0: first 0, max 1 (9), min 2 (1), last 4. Column 1: first 5, max 7 (8),
        // min 8 (0), last 9.
        assert_eq!(kept(&t, &v, (0., 10.), 2), vec![0, 1, 2, 4, 5, 7, 8, 9]);
        assert_eq!(
            m4(&t, &v, (0., 10.), 2),
            (
                vec![0., 1., 2., 4., 5., 7., 8., 9.],
                vec![5., 9., 1., 6., 3., 8., 0., 2.]
            )
        );
    }

    #[test]
    fn first_or_last_sample_that_is_also_an_extreme_is_kept_once() {
        // One column: the first sample is the minimum, the last the maximum.
        let t = [0., 1., 2., 3., 4.];
        assert_eq!(kept(&t, &[0., 2., 1., 3., 4.], (0., 5.), 1), vec![0, 4]);
        // Ties keep the earliest.
        assert_eq!(
            kept(&t, &[1., 0., 0., 5., 5.], (0., 5.), 1),
            vec![0, 1, 3, 4]
        );
    }

    #[test]
    fn empty_input_keeps_nothing() {
        assert!(kept(&[], &[], (0., 1.), 10).is_empty());
        assert!(kept(&[], &[], (0., 1.), 0).is_empty());
        assert_eq!(m4(&[], &[], (0., 1.), 3), (vec![], vec![]));
    }

    #[test]
    fn one_point_is_kept() {
        assert_eq!(kept(&[5.], &[1.], (0., 10.), 1), vec![0]);
        assert_eq!(kept(&[50.], &[1.], (0., 10.), 1), vec![0]);
        assert_eq!(m4(&[5.], &[1.], (0., 10.), 4), (vec![5.], vec![1.]));
    }

    #[test]
    fn all_points_in_one_column_keep_four() {
        let t: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.001).collect();
        let v: Vec<f64> = (0..100).map(|i| f64::from((i * 37) % 100)).collect();
        // Columns one unit wide: every sample is in column 0 of 10.
        let keep = kept(&t, &v, (0., 10.), 10);
        let low = v.iter().position(|&x| x == 0.).unwrap();
        let high = v.iter().position(|&x| x == 99.).unwrap();
        let mut expected = vec![0, low, high, 99];
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(keep, expected);
    }

    #[test]
    fn columns_more_than_points_returns_the_input_unchanged() {
        let t = [-5., 0., 1., 2., 3., 20.];
        let v = [1., 2., 3., 2., 1., 0.];
        assert_eq!(kept(&t, &v, (0., 10.), 7), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(m4(&t, &v, (0., 10.), 7), (t.to_vec(), v.to_vec()));
    }

    #[test]
    fn nearest_point_outside_each_edge_is_kept() {
        let t: Vec<f64> = (0..20).map(f64::from).collect();
        let v = vec![0.; 20];
        // Inside [5, 14]: one column holds 5..=14; 4 and 15 are the nearest outside.
        assert_eq!(kept(&t, &v, (5., 14.), 1), vec![4, 5, 14, 15]);
        // The right edge itself belongs to the last column.
        assert_eq!(kept(&t, &v, (5., 15.), 2), vec![4, 5, 9, 10, 15, 16]);
    }

    #[test]
    fn range_outside_the_data_keeps_only_the_neighbours() {
        let t: Vec<f64> = (0..10).map(f64::from).collect();
        let v = vec![1.; 10];
        assert_eq!(kept(&t, &v, (100., 200.), 4), vec![9]);
        assert_eq!(kept(&t, &v, (-200., -100.), 4), vec![0]);
        assert_eq!(kept(&t, &v, (3.5, 3.6), 4), vec![3, 4]);
    }

    #[test]
    fn zero_columns_keep_nothing_inside() {
        let t = [0., 1., 2., 3.];
        assert_eq!(kept(&t, &[0.; 4], (0.5, 2.5), 0), vec![0, 3]);
    }

    #[test]
    fn empty_range_puts_everything_at_its_edge_in_one_column() {
        let t = [0., 1., 1., 1., 1., 2.];
        let v = [0., 3., 1., 4., 2., 0.];
        assert_eq!(kept(&t, &v, (1., 1.), 2), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(kept(&t, &v, (1., 1.), 1), vec![0, 1, 2, 3, 4, 5]);
        let v = [0., 3., 1., 4., 2., 9., 0.];
        let t = [0., 1., 1., 1., 1., 1., 2.];
        assert_eq!(kept(&t, &v, (1., 1.), 1), vec![0, 1, 2, 5, 6]);
    }

    #[test]
    fn extremes_are_found_in_every_lane_and_the_remainder() {
        for n in 1..3 * BLOCK + 10 {
            for at in 0..n {
                let mut v = vec![1.0; n];
                v[at] = -3.0;
                v[n - 1 - at] = 7.0;
                let low = if n - 1 - at == at { 0 } else { at };
                assert_eq!(extremes(&v), (low, n - 1 - at), "n {n}, at {at}");
            }
        }
        assert_eq!(extremes(&[2.0, 2.0, 2.0]), (0, 0));
        assert_eq!(extremes(&[f64::NAN, 1.0, f64::NAN]), (1, 1));
        assert_eq!(extremes(&[f64::NAN; 9]), (0, 0));
        assert_eq!(extremes(&[f64::NAN; 2 * BLOCK]), (0, 0));
        let mut v = vec![f64::NAN; 2 * BLOCK];
        v[BLOCK + 3] = 1.0;
        assert_eq!(extremes(&v), (BLOCK + 3, BLOCK + 3));
        // Ties across blocks: the earliest.
        let v: Vec<f64> = (0..4 * BLOCK).map(|i| (i % BLOCK) as f64).collect();
        assert_eq!(extremes(&v), (0, BLOCK - 1));
    }

    #[test]
    fn search_near_a_guess_finds_the_partition_point() {
        let s: Vec<f64> = (0..100).map(f64::from).collect();
        for k in 0..=100 {
            let cut = f64::from(k);
            for guess in [0, 1, 2, 31, 50, 99, 100, 101, usize::MAX] {
                assert_eq!(
                    partition_point_near(&s, guess, |t| t < cut),
                    k as usize,
                    "cut {k}, guess {guess}"
                );
            }
            assert_eq!(gallop_forward(&s, &|t| t < cut), k as usize);
            assert_eq!(gallop_backward(&s, &|t| t < cut), k as usize);
        }
        assert_eq!(partition_point_near(&[], 5, |_| true), 0);
        assert_eq!(gallop_forward(&[], &|_| true), 0);
        assert_eq!(gallop_backward(&[], &|_| true), 0);
    }

    #[test]
    fn uneven_spacing_still_finds_every_column() {
        // Dense at first, then sparse: the mean spacing guesses wrong in both halves.
        let mut t: Vec<f64> = (0..500).map(|i| f64::from(i) / 100.0).collect();
        t.extend((0..50).map(|i| 5.0 + f64::from(i)));
        let v: Vec<f64> = (0..t.len()).map(|i| ((i * 7919) % 101) as f64).collect();
        let mut keep = Vec::new();
        m4_indices(&t, &v, (0.0, 55.0), 55, &mut keep);
        // Columns 0..5 hold 100 samples each, the others one each.
        let mut expected = Vec::new();
        for c in 0..5 {
            let column = c * 100..(c + 1) * 100;
            let low = column
                .clone()
                .min_by(|&a, &b| v[a].total_cmp(&v[b]))
                .unwrap();
            let high = column
                .clone()
                .max_by(|&a, &b| v[a].total_cmp(&v[b]).then(b.cmp(&a)));
            let mut four = vec![column.start, low, high.unwrap(), column.end - 1];
            four.sort_unstable();
            four.dedup();
            expected.extend(four);
        }
        expected.extend(500..550);
        assert_eq!(keep, expected);
    }
}
