//! Decoding a ~20 MB Loki `query_range` streams response (100,000 lines): our columnar decoder
//! into `LogBatch` against a plain `serde_json::Value` parse of the same bytes, for the plain
//! and the `categorize-labels` encodings. Results are recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench loki_decode`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use signalscope::sources::loki::{LokiAnswer, decode_query_response};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

const STREAMS: usize = 20;
const LINES_PER_STREAM: usize = 5_000;
const T0: u64 = 1_795_507_024_241_106_085;

/// A small deterministic generator (xorshift64*), so every run decodes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// A streams answer as Loki writes it: compact JSON, nanosecond strings, logfmt and JSON lines
/// (the JSON ones full of `\"` escapes), newest first. `categorized` adds the third element
/// with structured metadata on every other line, as `categorize-labels` does.
fn streams_body(categorized: bool) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(24 << 20);
    out.push_str(r#"{"status":"success","data":{"resultType":"streams","#);
    if categorized {
        out.push_str(r#""encodingFlags":["categorize-labels"],"#);
    }
    out.push_str(r#""result":["#);
    for s in 0..STREAMS {
        if s > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"stream":{{"container":"app","namespace":"shop","pod":"svc-{s}-5b8d4-xk2lp","service_name":"svc-{s}"}},"values":["#
        )
        .unwrap();
        for i in 0..LINES_PER_STREAM {
            if i > 0 {
                out.push(',');
            }
            let t = T0 - (i as u64) * 1_000_003 - s as u64;
            let r = rng.next();
            let trace = format!("{:016x}{:016x}", r, r.rotate_left(17));
            let line = if s % 2 == 0 {
                format!(
                    r#"ts=2026-11-24T07:57:04.{:03}Z level={} caller=handler.go:{} msg=\"request served\" method=GET path=/api/cart/{} status=200 duration={}.{}ms trace_id={trace}"#,
                    r % 1000,
                    ["info", "debug", "warn", "error"][(r >> 10) as usize % 4],
                    r % 400,
                    r % 100_000,
                    r % 90,
                    r % 10,
                )
            } else {
                format!(
                    r#"{{\"ts\":\"2026-11-24T07:57:04.{:03}Z\",\"level\":\"info\",\"logger\":\"payment.charge\",\"msg\":\"charge ok\",\"order_id\":\"o-{}\",\"amount\":{}.{},\"trace_id\":\"{trace}\"}}"#,
                    r % 1000,
                    r % 100_000,
                    r % 500,
                    r % 100,
                )
            };
            write!(out, r#"["{t}","{line}""#).unwrap();
            if categorized {
                if i % 2 == 0 {
                    write!(
                        out,
                        r#",{{"structuredMetadata":{{"detected_level":"info","trace_id":"{trace}"}}}}"#
                    )
                    .unwrap();
                } else {
                    out.push_str(",{}");
                }
            }
            out.push(']');
        }
        out.push_str("]}");
    }
    out.push_str(r#"],"stats":{}}}"#);
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    for (name, categorized) in [("plain", false), ("categorized", true)] {
        let body = streams_body(categorized);
        match decode_query_response(&body) {
            Ok(LokiAnswer::Logs(b)) => assert_eq!(b.len(), STREAMS * LINES_PER_STREAM),
            other => panic!("bench body does not decode: {other:?}"),
        }
        let mut group = c.benchmark_group(format!("loki_decode_{name}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(8));
        group.bench_function("columnar_log_batch", |b| {
            b.iter(|| black_box(decode_query_response(black_box(&body))))
        });
        group.bench_function("serde_json_value", |b| {
            b.iter(|| {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(
                    &body,
                )))
            })
        });
        group.finish();
        eprintln!(
            "{name}: {} bytes, {} lines",
            body.len(),
            STREAMS * LINES_PER_STREAM
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
