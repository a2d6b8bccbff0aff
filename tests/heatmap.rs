//! Native histogram decoding and histogram heatmaps: the documented examples, real Prometheus
//! 2.42 recordings (tests/fixtures/prometheus/PROVENANCE.md), malformed inputs, quantiles equal
//! to the server's `histogram_quantile`, and properties of the grid and its quantiles.

mod support;

use proptest::prelude::*;
use signalscope::analysis::heatmap::{
    ColorScale, Heatmap, HeatmapKind, Intensity, classic_heatmaps, heatmaps, native_heatmap,
};
use signalscope::model::{
    BoundaryRule, HistogramBucket, HistogramSeries, Labels, QueryResult, Series,
};
use signalscope::sources::prometheus::{Answer, DecodeError, decode_query};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/prometheus/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn success(body: &[u8]) -> QueryResult {
    match decode_query(body) {
        Ok(Answer::Success(r)) => r,
        other => panic!("expected success, got {other:?}"),
    }
}

fn decode_error(body: &str) -> DecodeError {
    match decode_query(body.as_bytes()) {
        Err(e) => e,
        Ok(a) => panic!("expected a decode error for {body}, got {a:?}"),
    }
}

// ---------------------------------------------------------------- decoding

#[test]
fn documented_vector_example_decodes_every_bucket() {
    let r = success(&fixture("openapi-native-histogram-vector.json"));
    assert!(r.series.is_empty());
    assert_eq!(r.histograms.len(), 1);
    let h = &r.histograms[0];
    assert_eq!(
        h.labels.metric_name(),
        Some("http_request_duration_seconds")
    );
    assert_eq!(h.labels.get("job"), Some("prometheus"));
    assert_eq!(h.timestamps, vec![1767436620.0]);
    let sample = h.get(0).unwrap();
    assert_eq!((sample.count, sample.sum), (12.5, 42.1));
    // As the server wrote it: one digit short of √2, so a different f64.
    let upper: f64 = "1.414213562373095".parse().unwrap();
    assert_eq!(
        sample.buckets,
        &[
            HistogramBucket {
                lower: 0.7071067811865475,
                upper: 1.0,
                count: 5.0,
                rule: BoundaryRule::OpenLeft
            },
            HistogramBucket {
                lower: 1.0,
                upper,
                count: 7.5,
                rule: BoundaryRule::OpenLeft
            },
        ]
    );
}

#[test]
fn documented_matrix_example_decodes_into_histogram_columns() {
    let r = success(&fixture("openapi-native-histogram-matrix.json"));
    assert!(r.series.is_empty());
    assert_eq!(r.histogram_count(), 1);
    let h = &r.histograms[0];
    assert_eq!(h.timestamps, vec![1767433020.0]);
    assert_eq!(h.bucket_starts, vec![0, 2]);
    assert_eq!(h.buckets[1].upper.to_string(), "1.414213562373095");
}

#[test]
fn recorded_native_histogram_keeps_the_zero_bucket_rule_and_counts() {
    let r = success(&fixture("query-vector-native-histogram.json"));
    assert_eq!(r.histograms.len(), 1);
    let h = r.histograms[0].get(0).unwrap();
    let zero = h.buckets[0];
    assert_eq!(zero.rule, BoundaryRule::ClosedBoth);
    assert_eq!((zero.lower, zero.upper), (-0.001, 0.001));
    assert!(
        h.buckets[1..]
            .iter()
            .all(|b| b.rule == BoundaryRule::OpenLeft)
    );
    // The exporter's count is the zero bucket plus every positive bucket.
    let total: f64 = h.buckets.iter().map(|b| b.count).sum();
    assert_eq!(total, h.count);
    assert!(h.buckets.windows(2).all(|w| w[0].upper <= w[1].lower));
}

#[test]
fn a_series_with_floats_and_histograms_keeps_both() {
    let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"__name__":"m","job":"a"},
         "values":[[1,"1"],[2,"2"]],
         "histograms":[[3,{"count":"2","sum":"1.5","buckets":[[0,"0.5","1","2"]]}]]}]}}"#;
    let r = success(body.as_bytes());
    assert_eq!(r.series.len(), 1);
    assert_eq!(r.series[0].values, vec![1.0, 2.0]);
    assert_eq!(r.histograms.len(), 1);
    assert_eq!(r.histograms[0].labels, r.series[0].labels);
    assert_eq!(r.histograms[0].timestamps, vec![3.0]);

    let vector = r#"{"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"a":"1"},"value":[5,"7"],"histogram":[5,{"count":"0","sum":"0"}]}]}}"#;
    let r = success(vector.as_bytes());
    assert_eq!(r.series[0].values, vec![7.0]);
    assert_eq!(r.histograms[0].len(), 1);
    assert!(r.histograms[0].get(0).unwrap().buckets.is_empty());
}

/// The 1-based (line, column) of the first occurrence of `needle` in `body`.
fn position_of(body: &str, needle: &str) -> (usize, usize) {
    let at = body.find(needle).expect("needle");
    let before = &body[..at];
    let line = 1 + before.matches('\n').count();
    let column = 1 + at - before.rfind('\n').map_or(0, |p| p + 1);
    (line, column)
}

fn vector_with_histogram(histogram: &str) -> String {
    format!(
        "{{\"status\":\"success\",\"data\":{{\"resultType\":\"vector\",\"result\":[\n{{\"metric\":{{}},\n\"histogram\":[1,{histogram}]}}]}}}}"
    )
}

#[test]
fn malformed_histograms_are_typed_errors_pointing_at_the_fault() {
    let cases = [
        (
            r#"{"count":"1","sum":"1","buckets":[[4,"1","2","1"]]}"#,
            "[4,",
            "boundary rule",
        ),
        (
            r#"{"count":"1","sum":"1","buckets":[[-1,"1","2","1"]]}"#,
            "[-1",
            "-1",
        ),
        (
            r#"{"count":"1","sum":"1","buckets":[["0","1","2","1"]]}"#,
            r#"["0""#,
            "string",
        ),
        (
            r#"{"count":"1","sum":"1","buckets":[[0,"one","2","1"]]}"#,
            "\"one\"",
            "one",
        ),
        (
            r#"{"count":"1","sum":"1","buckets":[[0,"1","2","x1"]]}"#,
            "\"x1\"",
            "x1",
        ),
        (r#"{"count":"many","sum":"1"}"#, "\"many\"", "many"),
        (
            r#"{"count":"1","sum":"1","buckets":[[0,"2","1","1"]]}"#,
            "[0,\"2\"",
            "above",
        ),
        (
            r#"{"count":"1","sum":"1","buckets":[[0,"1","2"]]}"#,
            "[0,\"1\",\"2\"]",
            "length",
        ),
        (
            r#"{"count":"1","sum":"1","buckets":[[0,"1","2","1","9"]]}"#,
            "[0,\"1\"",
            "length",
        ),
        (r#"{"sum":"1","buckets":[]}"#, "{\"sum\"", "count"),
    ];
    for (histogram, fault, words) in cases {
        let body = vector_with_histogram(histogram);
        let err = decode_error(&body);
        assert!(err.message.contains(words), "{histogram}: {}", err.message);
        let (line, column) = position_of(&body, fault);
        assert_eq!(err.line, line, "{histogram}: {err:?}");
        // serde_json reports where it stopped: inside or just past the faulty element.
        let end = column + histogram.len();
        assert!(
            (column..=end).contains(&err.column),
            "{histogram}: column {} not in {column}..={end}",
            err.column
        );
    }
}

#[test]
fn every_truncation_of_a_recorded_histogram_response_is_an_error_not_a_panic() {
    let body = fixture("query-range-native-histogram-resized-step5s.json");
    let complete = success(&body);
    assert!(complete.histogram_count() > 10);
    for cut in (0..body.len() - 1).step_by(7) {
        let err = decode_query(&body[..cut]).expect_err("a truncated body must not decode");
        assert_eq!(err.line, 1, "cut at {cut}: {err:?}");
        assert!(err.column <= cut + 1, "cut at {cut}: {err:?}");
    }
}

// ---------------------------------------------------------------- heatmaps from real answers

/// Asserts that `ours` equals the server's quantile series at every timestamp, to 1e-9.
fn assert_same_line(heatmap: &Heatmap, q: f64, recorded: &Series) {
    assert!(!recorded.is_empty());
    let ours = heatmap.quantile_line(q);
    for (t, expected) in recorded.timestamps.iter().zip(&recorded.values) {
        let column = heatmap
            .timestamps
            .iter()
            .position(|c| c == t)
            .unwrap_or_else(|| panic!("no column at {t}"));
        let got = ours[column];
        let same = (got.is_nan() && expected.is_nan()) || (got - expected).abs() <= 1e-9;
        assert!(same, "q={q} at {t}: ours {got}, Prometheus {expected}");
    }
}

#[test]
fn classic_quantiles_equal_prometheus_histogram_quantile() {
    let buckets = success(&fixture("query-range-classic-buckets-rate-step5s.json"));
    let set = classic_heatmaps(&buckets.series);
    assert_eq!(set.series_without_le, 0);
    assert_eq!(set.heatmaps.len(), 1);
    let h = &set.heatmaps[0];
    assert_eq!(h.kind, HeatmapKind::Classic);
    assert_eq!(h.rows(), 7);
    assert_eq!(h.bounds[1], 1e-5);
    assert_eq!(h.bounds[7], f64::INFINITY);
    for (q, file) in [
        (0.5, "query-range-classic-quantile-p50-step5s.json"),
        (0.9, "query-range-classic-quantile-p90-step5s.json"),
        (0.99, "query-range-classic-quantile-p99-step5s.json"),
    ] {
        let recorded = success(&fixture(file));
        assert_eq!(recorded.series.len(), 1, "{file}");
        assert_same_line(h, q, &recorded.series[0]);
    }
}

#[test]
fn native_quantiles_equal_prometheus_histogram_quantile() {
    let rates = success(&fixture("query-range-native-histogram-rate-step5s.json"));
    assert_eq!(rates.histograms.len(), 1);
    let set = heatmaps(&rates);
    assert_eq!(set.heatmaps.len(), 1);
    let h = &set.heatmaps[0];
    assert_eq!(h.kind, HeatmapKind::Native);
    for (q, file) in [
        (0.5, "query-range-native-histogram-quantile-p50-step5s.json"),
        (0.9, "query-range-native-histogram-quantile-p90-step5s.json"),
        (
            0.99,
            "query-range-native-histogram-quantile-p99-step5s.json",
        ),
    ] {
        let recorded = success(&fixture(file));
        assert_eq!(recorded.series.len(), 1, "{file}");
        assert_same_line(h, q, &recorded.series[0]);
    }
}

#[test]
fn a_schema_change_over_time_shares_one_grid_and_keeps_every_count() {
    let r = success(&fixture("query-range-native-histogram-resized-step5s.json"));
    let series = &r.histograms[0];
    // The recording switches between bucket factor √2 and 2: both appear.
    let widths = |i: usize| {
        let h = series.get(i).unwrap();
        h.buckets
            .iter()
            .filter(|b| b.lower > 0.0)
            .map(|b| b.upper / b.lower)
            .next()
    };
    let factors: Vec<f64> = (0..series.len()).filter_map(widths).collect();
    assert!(factors.iter().any(|f| (f - 2.0).abs() < 1e-9));
    assert!(factors.iter().any(|f| (f - 2f64.sqrt()).abs() < 1e-9));

    let h = native_heatmap(series);
    assert!(h.stats.spread_buckets > 0);
    assert_eq!(h.stats.clamped_negative + h.stats.nan_values, 0);
    for (c, (_, sample)) in series.iter().enumerate() {
        let cells: f64 = h.column(c).iter().sum();
        assert!(
            (cells - sample.count).abs() <= 1e-9 * sample.count,
            "column {c}"
        );
    }
    // The fine rows exist for every column: √2 boundaries inside the coarse buckets.
    assert!(h.bounds.windows(2).all(|w| w[0] < w[1]));
    assert!(h.bounds.iter().any(|b| (b - 2f64.sqrt()).abs() < 1e-12));
}

#[test]
fn recorded_classic_buckets_become_a_grid_with_no_fixes_needed() {
    let r = success(&fixture("query-vector-demo-histogram-buckets.json"));
    let set = classic_heatmaps(&r.series);
    let h = &set.heatmaps[0];
    assert_eq!(h.stats, Default::default());
    // 144 below 5 ms, then the differences of the recorded cumulative counters.
    assert_eq!(
        h.column(0),
        &[
            144.0, 288.0, 432.0, 720.0, 576.0, 374.0, 202.0, 100.0, 35.0, 9.0, 0.0
        ]
    );
    let intensity = Intensity::new(ColorScale::Sqrt, h.column(0));
    assert_eq!(intensity.of(720.0), Some(1.0));
    assert_eq!(intensity.of(0.0), Some(0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_quantiles_equal_a_live_prometheus() {
    use signalscope::fetch::Progress;
    use signalscope::sources::HttpClient;
    use signalscope::sources::prometheus::{self, RangeQuery};
    use signalscope::workspace::{Connection, ConnectionId};

    let Some(prom) = support::Prometheus::start() else {
        return;
    };
    tokio::task::block_in_place(|| prom.wait_for_samples(12));
    let http = HttpClient::new(&Connection::prometheus(ConnectionId(1), "live", &prom.url))
        .expect("client");
    let end = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64()
        .floor();
    // The self-scrape of /metrics every second fills these buckets.
    let buckets = "sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[5s]))";
    let range = |query: String| RangeQuery {
        query,
        start: end - 8.0,
        end,
        step: 1.0,
    };
    let progress = Progress::default();
    let grid = prometheus::range_query(&http, &range(buckets.to_owned()), &progress)
        .await
        .expect("bucket query");
    let set = classic_heatmaps(&grid.series);
    assert_eq!(set.heatmaps.len(), 1, "{grid:?}");
    let h = &set.heatmaps[0];
    assert!(h.rows() >= 2 && h.bounds.last() == Some(&f64::INFINITY));
    for q in [0.5, 0.9, 0.99] {
        let server = prometheus::range_query(
            &http,
            &range(format!("histogram_quantile({q}, {buckets})")),
            &progress,
        )
        .await
        .expect("quantile query");
        assert_eq!(server.series.len(), 1, "{server:?}");
        let values = &server.series[0].values;
        assert!(
            values.iter().any(|v| v.is_finite()),
            "no requests seen: {values:?}"
        );
        assert_same_line(h, q, &server.series[0]);
    }
}

// ---------------------------------------------------------------- properties

/// Classic bucket series for `columns` (per-bucket values per column), `le` from `uppers`.
fn classic_series(uppers: &[f64], columns: &[Vec<f64>], order: &[usize]) -> Vec<Series> {
    order
        .iter()
        .map(|&b| {
            let le = if uppers[b].is_infinite() {
                "+Inf".to_owned()
            } else {
                format!("{:e}", uppers[b])
            };
            Series {
                labels: Labels::new(vec![("le".into(), le), ("job".into(), "p".into())]),
                timestamps: (0..columns.len()).map(|c| c as f64).collect(),
                values: columns
                    .iter()
                    .map(|col| col[..=b].iter().sum::<f64>())
                    .collect(),
            }
        })
        .collect()
}

/// Ascending finite upper bounds followed by +Inf, per-bucket counts for a few columns, and a
/// shuffled order in which the series arrive.
fn histogram_input() -> impl Strategy<Value = (Vec<f64>, Vec<Vec<f64>>, Vec<usize>)> {
    (2usize..12).prop_flat_map(|n| {
        (
            proptest::collection::vec(0.001f64..10.0, n - 1),
            proptest::collection::vec(
                proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..1000.0], n),
                1..6,
            ),
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
        )
            .prop_map(|(steps, columns, order)| {
                let mut uppers: Vec<f64> = steps
                    .iter()
                    .scan(-1.0, |u, s| {
                        *u += s;
                        Some(*u)
                    })
                    .collect();
                uppers.push(f64::INFINITY);
                (uppers, columns, order)
            })
    })
}

proptest! {
    #[test]
    fn cell_sums_equal_the_inf_bucket((uppers, columns, order) in histogram_input()) {
        let set = classic_heatmaps(&classic_series(&uppers, &columns, &order));
        let h = &set.heatmaps[0];
        prop_assert_eq!(h.stats, Default::default());
        for (c, col) in columns.iter().enumerate() {
            let top: f64 = col.iter().sum();
            let cells: f64 = h.column(c).iter().sum();
            prop_assert!((cells - top).abs() <= 1e-9 * top.max(1.0), "{} vs {}", cells, top);
        }
    }

    #[test]
    fn quantile_lies_in_the_bucket_of_its_rank_and_grows_with_q(
        (uppers, columns, order) in histogram_input(),
        q1 in 0.001f64..=1.0,
        q2 in 0.001f64..=1.0,
    ) {
        let set = classic_heatmaps(&classic_series(&uppers, &columns, &order));
        let h = &set.heatmaps[0];
        for (c, col) in columns.iter().enumerate() {
            let total: f64 = col.iter().sum();
            let v = h.quantile(q1, c);
            if total == 0.0 {
                prop_assert!(v.is_nan());
                continue;
            }
            // The bucket holding the rank: first with cumulative count ≥ q·total.
            let rank = q1 * total;
            let cumulative: Vec<f64> = h.column(c).iter().scan(0.0, |s, x| { *s += x; Some(*s) }).collect();
            let b = cumulative.iter().position(|&x| x >= rank).unwrap_or(uppers.len() - 1);
            if b == uppers.len() - 1 {
                // In the +Inf bucket: Prometheus answers the highest finite bound.
                prop_assert_eq!(v, uppers[uppers.len() - 2]);
            } else {
                let lower = if b == 0 { uppers[0].min(0.0) } else { uppers[b - 1] };
                let slack = 1e-9 * uppers[b].abs().max(1.0);
                prop_assert!(v >= lower - slack && v <= uppers[b] + slack,
                    "q {} → {} outside ({}, {}]", q1, v, lower, uppers[b]);
            }
            let (lo, hi) = if q1 <= q2 { (q1, q2) } else { (q2, q1) };
            let (a, b) = (h.quantile(lo, c), h.quantile(hi, c));
            prop_assert!(a <= b + 1e-9 * b.abs().max(1.0), "q {} → {} but q {} → {}", lo, a, hi, b);
        }
    }

    #[test]
    fn regridding_native_buckets_keeps_every_count(
        samples in proptest::collection::vec(
            (0i32..3, proptest::collection::vec(0.0f64..100.0, 1..20)), 1..8),
    ) {
        // Each sample uses its own schema s (factor 2^(2^-s)) from 1 upwards.
        let mut series = HistogramSeries::new(Labels::default());
        for (t, (schema, counts)) in samples.iter().enumerate() {
            let factor = 2f64.powf(2f64.powi(-schema));
            let buckets: Vec<HistogramBucket> = counts.iter().enumerate().map(|(i, &count)| HistogramBucket {
                lower: factor.powi(i as i32),
                upper: factor.powi(i as i32 + 1),
                count,
                rule: BoundaryRule::OpenLeft,
            }).collect();
            series.push(t as f64, counts.iter().sum(), 0.0, &buckets);
        }
        let h = native_heatmap(&series);
        for (c, (_, sample)) in series.iter().enumerate() {
            let cells: f64 = h.column(c).iter().sum();
            prop_assert!((cells - sample.count).abs() <= 1e-9 * sample.count.max(1.0));
            let lo = h.quantile(0.25, c);
            let hi = h.quantile(0.75, c);
            if sample.count > 0.0 {
                prop_assert!(lo <= hi + 1e-12, "{} > {}", lo, hi);
            }
        }
    }
}
