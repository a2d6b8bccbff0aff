//! Building histogram heatmaps and their quantile lines for 11,000 columns × 40 buckets × 3
//! groups, against a naive baseline measured in the same run: per column, clone the bucket
//! values into a `Vec<Vec<f64>>` with `le` parsed again and sorted, then sort once more per
//! quantile. Results are recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench heatmap`.

use criterion::{Criterion, criterion_group, criterion_main};
use signalscope::analysis::heatmap::{
    OVERLAY_QUANTILES, classic_heatmaps, native_heatmap, parse_le,
};
use signalscope::model::{HistogramBucket, HistogramSeries, Labels, Series};
use std::hint::black_box;

const COLUMNS: usize = 11_000;
const BUCKETS: usize = 40;
const GROUPS: usize = 3;
const START: f64 = 1_795_506_789.0;

/// `GROUPS` groups of `BUCKETS` cumulative `_bucket` series (le 0.001 × 1.4ⁱ, last +Inf).
fn classic_series() -> Vec<Series> {
    let timestamps: Vec<f64> = (0..COLUMNS).map(|c| START + c as f64).collect();
    let mut out = Vec::new();
    for g in 0..GROUPS {
        let mut cumulative = vec![0.0; COLUMNS];
        for b in 0..BUCKETS {
            let le = if b + 1 == BUCKETS {
                "+Inf".to_owned()
            } else {
                format!("{}", 0.001 * 1.4f64.powi(b as i32))
            };
            for (c, v) in cumulative.iter_mut().enumerate() {
                // A bump that drifts over time, so quantiles move.
                let centre = 10.0 + 10.0 * ((c as f64) / 1000.0 + g as f64).sin();
                *v += (-(b as f64 - centre).powi(2) / 20.0).exp() * 100.0;
            }
            out.push(Series {
                labels: Labels::new(vec![
                    ("le".into(), le),
                    ("handler".into(), format!("/api/{g}")),
                ]),
                timestamps: timestamps.clone(),
                values: cumulative.clone(),
            });
        }
    }
    out
}

/// The naive path: per group and column, gather (le, value) pairs, sort, difference.
fn naive_grids(series: &[Series]) -> Vec<Vec<Vec<f64>>> {
    let mut groups: Vec<(String, Vec<&Series>)> = Vec::new();
    for s in series {
        let key = s.labels.get("handler").unwrap_or("").to_owned();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(s),
            None => groups.push((key, vec![s])),
        }
    }
    groups
        .iter()
        .map(|(_, members)| {
            (0..COLUMNS)
                .map(|c| {
                    let mut column: Vec<(f64, f64)> = members
                        .iter()
                        .map(|s| {
                            let le = parse_le(s.labels.get("le").unwrap_or("NaN")).unwrap_or(0.0);
                            (le, s.values[c])
                        })
                        .collect();
                    column.sort_by(|a, b| a.0.total_cmp(&b.0));
                    let mut below = 0.0;
                    column
                        .iter()
                        .map(|&(_, v)| {
                            let d = (v - below).max(0.0);
                            below = f64::max(below, v);
                            d
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Naive quantile: rebuild and sort the cumulative column for every quantile.
fn naive_quantile(q: f64, uppers: &[f64], column: &[f64]) -> f64 {
    let mut pairs: Vec<(f64, f64)> = uppers.iter().copied().zip(column.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cumulative = 0.0;
    let pairs: Vec<(f64, f64)> = pairs
        .into_iter()
        .map(|(u, c)| {
            cumulative += c;
            (u, cumulative)
        })
        .collect();
    let total = cumulative;
    let rank = q * total;
    let b = pairs
        .iter()
        .position(|p| p.1 >= rank)
        .unwrap_or(pairs.len() - 1);
    if b == pairs.len() - 1 {
        return pairs[pairs.len() - 2].0;
    }
    let (start, below) = if b == 0 { (0.0, 0.0) } else { pairs[b - 1] };
    start + (pairs[b].0 - start) * ((rank - below) / (pairs[b].1 - below))
}

/// One native series of `COLUMNS` samples, 40 buckets each, switching schema 1 → 0 halfway.
fn native_series() -> HistogramSeries {
    let mut s = HistogramSeries::new(Labels::default());
    let mut buckets = Vec::with_capacity(BUCKETS);
    for c in 0..COLUMNS {
        buckets.clear();
        let (factor, n) = if c < COLUMNS / 2 {
            (2f64.sqrt(), BUCKETS)
        } else {
            (2.0, BUCKETS / 2)
        };
        let mut lower = 2f64.powi(-10);
        for i in 0..n {
            let upper = lower * factor;
            buckets.push(HistogramBucket {
                lower,
                upper,
                count: (i % 7 + 1) as f64,
                ..HistogramBucket::default()
            });
            lower = upper;
        }
        let total = buckets.iter().map(|b| b.count).sum();
        s.push(START + c as f64, total, 0.0, &buckets);
    }
    s
}

fn bench(c: &mut Criterion) {
    let series = classic_series();
    let mut g = c.benchmark_group("heatmap_11k_columns_40_buckets_3_groups");
    g.sample_size(10);
    g.bench_function("classic_grid", |b| {
        b.iter(|| black_box(classic_heatmaps(black_box(&series))))
    });
    g.bench_function("naive_grid_vec_of_vec", |b| {
        b.iter(|| black_box(naive_grids(black_box(&series))))
    });
    let set = classic_heatmaps(&series);
    g.bench_function("classic_quantiles_p50_p90_p99", |b| {
        b.iter(|| {
            for h in &set.heatmaps {
                for q in OVERLAY_QUANTILES {
                    black_box(h.quantile_line(q));
                }
            }
        })
    });
    let grids = naive_grids(&series);
    let uppers = &set.heatmaps[0].bounds[1..];
    // Both paths must compute the same thing for the comparison to mean anything.
    for (h, grid) in set.heatmaps.iter().zip(&grids) {
        for (c, col) in grid.iter().enumerate().step_by(97) {
            let (ours, naive) = (h.quantile(0.9, c), naive_quantile(0.9, uppers, col));
            assert!((ours - naive).abs() < 1e-9, "column {c}: {ours} vs {naive}");
        }
    }
    g.bench_function("naive_quantiles_p50_p90_p99", |b| {
        b.iter(|| {
            for grid in &grids {
                for q in OVERLAY_QUANTILES {
                    let line: Vec<f64> = grid
                        .iter()
                        .map(|col| naive_quantile(q, uppers, col))
                        .collect();
                    black_box(line);
                }
            }
        })
    });
    let native = native_series();
    g.bench_function("native_grid_schema_change_1_series", |b| {
        b.iter(|| black_box(native_heatmap(black_box(&native))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
