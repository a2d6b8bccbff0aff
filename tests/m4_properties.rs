//! M4 decimation on random sorted series: what every pixel column needs survives, the output
//! is a subsequence of the input, it stays within 4 points per column, and the decimated line
//! covers exactly the same vertical extent in every column as the full line.

use proptest::prelude::*;
use signalscope::analysis::{m4, m4_indices};

/// Sorted timestamps (with repeats) and finite values (with ties), up to 400 samples.
fn series() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    let value = prop_oneof![(-20i32..20).prop_map(f64::from), -1e3f64..1e3];
    prop::collection::vec((0u32..4, value), 0..400).prop_map(|samples| {
        let mut t = -5.0;
        samples
            .into_iter()
            .map(|(dt, v)| {
                t += f64::from(dt) * 0.25;
                (t, v)
            })
            .unzip()
    })
}

fn x_range() -> impl Strategy<Value = (f64, f64)> {
    (-10.0f64..60.0, prop_oneof![Just(0.0), 0.0f64..80.0]).prop_map(|(x0, w)| (x0, x0 + w))
}

/// The column of a timestamp as `m4_indices` documents it: `x_range` split into `columns`
/// equal parts, the right edge in the last; -1 left of the range, `columns` right of it.
fn column(t: f64, (x0, x1): (f64, f64), columns: usize) -> i64 {
    if t < x0 {
        -1
    } else if t > x1 {
        columns as i64
    } else {
        let width = x1 - x0;
        let scale = if width > 0.0 {
            columns as f64 / width
        } else {
            0.0
        };
        (((t - x0) * scale) as usize).min(columns - 1) as i64
    }
}

/// For every column, the lowest and highest y that the polyline through the points reaches
/// inside it: its points in the column and where its segments cross the column's edges.
fn column_extents(
    points: &[(f64, f64)],
    (x0, x1): (f64, f64),
    columns: usize,
) -> Vec<Option<(f64, f64)>> {
    let mut extents: Vec<Option<(f64, f64)>> = vec![None; columns];
    let mut reach = |k: i64, y: f64| {
        if let Some(slot) = usize::try_from(k).ok().and_then(|k| extents.get_mut(k)) {
            let (lo, hi) = slot.get_or_insert((y, y));
            *lo = lo.min(y);
            *hi = hi.max(y);
        }
    };
    let cols: Vec<i64> = points
        .iter()
        .map(|&(t, _)| column(t, (x0, x1), columns))
        .collect();
    for (&(_, v), &k) in points.iter().zip(&cols) {
        reach(k, v);
    }
    for (i, pair) in points.windows(2).enumerate() {
        let [(ta, va), (tb, vb)] = [pair[0], pair[1]];
        for edge in cols[i] + 1..=cols[i + 1] {
            let x = x0 + edge as f64 * (x1 - x0) / columns as f64;
            let y = va + (x - ta) / (tb - ta) * (vb - va);
            reach(edge - 1, y);
            reach(edge, y);
        }
    }
    extents
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn every_column_keeps_its_first_last_min_and_max(
        (t, v) in series(), range in x_range(), columns in 0usize..64,
    ) {
        let mut keep = Vec::new();
        m4_indices(&t, &v, range, columns, &mut keep);
        for c in 0..columns as i64 {
            let members: Vec<usize> =
                (0..t.len()).filter(|&i| column(t[i], range, columns) == c).collect();
            let (Some(&first), Some(&last)) = (members.first(), members.last()) else {
                continue;
            };
            let low = members.iter().copied().reduce(|a, b| if v[b] < v[a] { b } else { a });
            let high = members.iter().copied().reduce(|a, b| if v[b] > v[a] { b } else { a });
            for (what, i) in [("first", first), ("last", last), ("min", low.unwrap()), ("max", high.unwrap())] {
                prop_assert!(keep.contains(&i), "column {c}: {what} sample {i} was dropped: {keep:?}");
            }
        }
    }

    #[test]
    fn output_is_a_short_subsequence_in_time_order(
        (t, v) in series(), range in x_range(), columns in 0usize..64,
    ) {
        let mut keep = Vec::new();
        m4_indices(&t, &v, range, columns, &mut keep);
        prop_assert!(keep.windows(2).all(|w| w[0] < w[1]), "{keep:?}");
        prop_assert!(keep.last().is_none_or(|&i| i < t.len()));
        prop_assert!(keep.len() <= 4 * columns + 2, "{} > 4 × {columns} + 2", keep.len());
        let (kt, kv) = m4(&t, &v, range, columns);
        prop_assert_eq!(kt, keep.iter().map(|&i| t[i]).collect::<Vec<_>>());
        prop_assert_eq!(kv, keep.iter().map(|&i| v[i]).collect::<Vec<_>>());
    }

    #[test]
    fn outside_the_range_only_the_nearest_neighbours_are_kept(
        (t, v) in series(), range in x_range(), columns in 0usize..64,
    ) {
        prop_assume!(t.len() > columns);
        let mut keep = Vec::new();
        m4_indices(&t, &v, range, columns, &mut keep);
        let left: Vec<usize> = keep.iter().copied().filter(|&i| t[i] < range.0).collect();
        let right: Vec<usize> = keep.iter().copied().filter(|&i| t[i] > range.1).collect();
        let nearest_left = t.iter().rposition(|&x| x < range.0);
        let nearest_right = t.iter().position(|&x| x > range.1);
        prop_assert_eq!(left, nearest_left.into_iter().collect::<Vec<_>>());
        prop_assert_eq!(right, nearest_right.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn decimated_line_covers_the_same_pixels_in_every_column(
        (t, v) in series(), range in x_range(), columns in 1usize..64,
    ) {
        let full: Vec<(f64, f64)> = t.iter().copied().zip(v.iter().copied()).collect();
        let (kt, kv) = m4(&t, &v, range, columns);
        let kept: Vec<(f64, f64)> = kt.into_iter().zip(kv).collect();
        prop_assert_eq!(
            column_extents(&kept, range, columns),
            column_extents(&full, range, columns)
        );
    }
}
