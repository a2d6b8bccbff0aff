//! Decoding a ~10 MB Prometheus `query_range` response: our columnar decoder against a plain
//! `serde_json::Value` parse of the same bytes. Results are recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench prometheus_decode`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use signalscope::sources::prometheus::{Answer, decode_query};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

const SERIES: usize = 100;
const POINTS: usize = 4_000;
/// `start` of the recorded range queries (tests/fixtures/prometheus/query-range-up-step1s.json).
const START: u64 = 1_795_506_789;

/// A small deterministic generator (xorshift64*), so every run decodes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A matrix response in the exact shape Prometheus 2.42 sends: compact JSON, label names
/// sorted, integer timestamps for step-aligned samples, values as Go's shortest `'f'` float
/// strings (Rust's `{}` for f64 prints the same digits and never uses an exponent).
fn matrix_body() -> Vec<u8> {
    const HANDLERS: [&str; 5] = [
        "/api/v1/query",
        "/api/v1/query_range",
        "/api/v1/series",
        "/metrics",
        "/-/ready",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(11 << 20);
    out.push_str(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for s in 0..SERIES {
        if s > 0 {
            out.push(',');
        }
        let kind = s % 4;
        let name = match kind {
            0 => "http_requests_total",
            1 => "queue_depth",
            2 => "http_request_duration_seconds",
            _ => "go_gc_duration_seconds",
        };
        write!(
            out,
            r#"{{"metric":{{"__name__":"{name}","code":"{}","env":"production","handler":"{}","instance":"10.0.{}.{}:9090","job":"api-server","pod":"api-server-{:08x}"}},"values":["#,
            [200, 404, 500][s % 3],
            HANDLERS[s % HANDLERS.len()],
            s / 50,
            s % 50 + 10,
            rng.next() as u32,
        )
        .unwrap();
        let mut counter = (rng.unit() * 1e6).floor();
        let mut level = 20.0 + rng.unit() * 80.0;
        for p in 0..POINTS {
            if p > 0 {
                out.push(',');
            }
            let value = match kind {
                // Counter: growing integers ("1523", "1530", ...).
                0 => {
                    counter += (rng.unit() * 20.0).floor();
                    counter
                }
                // Gauge with three decimals, like the recorded demo_queue_depth ("88.039").
                1 => {
                    level = (level + rng.unit() * 4.0 - 2.0).clamp(0.0, 100.0);
                    (level * 1000.0).round() / 1000.0
                }
                // rate()-style quotients with 16-17 significant digits ("0.046200000000000005").
                2 => (rng.next() % 10_000) as f64 / 60.0 * 0.0123456789,
                // Tiny latencies ("0.000091206").
                _ => (rng.next() % 2_000_000) as f64 * 1e-9,
            };
            // histogram_quantile over an idle handler gives NaN, as in the recorded p99 fixture.
            if kind == 2 && s % 8 == 2 && p % 100 < 10 {
                write!(out, r#"[{},"NaN"]"#, START + p as u64).unwrap();
            } else {
                write!(out, r#"[{},"{value}"]"#, START + p as u64).unwrap();
            }
        }
        out.push_str("]}");
    }
    out.push_str("]}}");
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let body = matrix_body();
    // Check the input before timing it: both parsers must accept it, with every sample.
    match decode_query(&body) {
        Ok(Answer::Success(r)) => {
            assert_eq!(r.series.len(), SERIES);
            assert_eq!(r.point_count(), SERIES * POINTS);
            assert_eq!(r.series[0].labels.iter().count(), 7);
        }
        other => panic!("generated body does not decode: {other:?}"),
    }
    serde_json::from_slice::<serde_json::Value>(&body).expect("generated body is JSON");
    eprintln!(
        "input: {} bytes ({:.2} MB), {SERIES} series x {POINTS} points, {} labels per series",
        body.len(),
        body.len() as f64 / 1e6,
        7
    );

    let mut group = c.benchmark_group("prometheus_decode_10MB_matrix");
    group
        .throughput(Throughput::Bytes(body.len() as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group.bench_function("signalscope_decode_query", |b| {
        b.iter(|| decode_query(black_box(&body)).unwrap())
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
