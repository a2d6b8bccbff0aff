//! Decoding a 1,000,000-span trace into `model::Trace` (typed serde, spans sorted and linked)
//! from OTLP/JSON and from Jaeger JSON, against a plain `serde_json::Value` parse of the same
//! bytes. Results are recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench trace_decode`.

/// The allocator the `signalscope` binary uses (src/main.rs), so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use signalscope::sources::trace_file::open_trace_bytes;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

const SPANS: usize = 1_000_000;
const SERVICES: [&str; 4] = ["frontend", "checkout", "payment", "inventory"];
const START_NS: u64 = 1_795_507_024_241_106_085;

/// Span `i`'s parent: a tree with fan-out 4, so depth ~10 like real fan-out traces.
fn parent(i: usize) -> Option<usize> {
    (i > 0).then(|| (i - 1) / 4)
}

/// OTLP/JSON as the Python SDK writes it: hex ids, int64 as strings, 3 attributes per span,
/// an event on every 10th span, spans grouped by service resource.
fn otlp_json() -> Vec<u8> {
    let mut out = String::with_capacity(SPANS * 420);
    out.push_str(r#"{"resourceSpans":["#);
    for (s, service) in SERVICES.iter().enumerate() {
        if s > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},"scopeSpans":[{{"scope":{{"name":"bench"}},"spans":["#
        )
        .ok();
        let mut first = true;
        for i in (s..SPANS).step_by(SERVICES.len()) {
            if !first {
                out.push(',');
            }
            first = false;
            let start = START_NS + i as u64 * 1_000;
            write!(
                out,
                r#"{{"traceId":"bdd640fb06671ad11c80317fa3b1799d","spanId":"{:016x}","#,
                i + 1
            )
            .ok();
            if let Some(p) = parent(i) {
                write!(out, r#""parentSpanId":"{:016x}","#, p + 1).ok();
            }
            write!(
                out,
                r#""name":"op-{}","kind":2,"startTimeUnixNano":"{start}","endTimeUnixNano":"{}","attributes":[{{"key":"http.route","value":{{"stringValue":"/api/{}"}}}},{{"key":"http.status_code","value":{{"intValue":"200"}}}},{{"key":"retry","value":{{"boolValue":false}}}}]"#,
                i % 50,
                start + 500_000,
                i % 20
            )
            .ok();
            if i % 10 == 0 {
                write!(
                    out,
                    r#","events":[{{"timeUnixNano":"{}","name":"cache miss","attributes":[{{"key":"key","value":{{"stringValue":"k{i}"}}}}]}}]"#,
                    start + 10
                )
                .ok();
            }
            out.push_str(r#","status":{}}"#);
        }
        out.push_str("]}]}");
    }
    out.push_str("]}");
    out.into_bytes()
}

/// The same trace as Jaeger's legacy API answers it: µs times, typed tags, processes.
fn jaeger_json() -> Vec<u8> {
    let mut out = String::with_capacity(SPANS * 480);
    out.push_str(r#"{"data":[{"traceID":"bdd640fb06671ad11c80317fa3b1799d","spans":["#);
    for i in 0..SPANS {
        if i > 0 {
            out.push(',');
        }
        let start_us = START_NS / 1_000 + i as u64;
        write!(
            out,
            r#"{{"traceID":"bdd640fb06671ad11c80317fa3b1799d","spanID":"{:016x}","operationName":"op-{}","references":["#,
            i + 1,
            i % 50
        )
        .ok();
        if let Some(p) = parent(i) {
            write!(
                out,
                r#"{{"refType":"CHILD_OF","traceID":"bdd640fb06671ad11c80317fa3b1799d","spanID":"{:016x}"}}"#,
                p + 1
            )
            .ok();
        }
        write!(
            out,
            r#"],"startTime":{start_us},"duration":500,"tags":[{{"key":"span.kind","type":"string","value":"server"}},{{"key":"http.route","type":"string","value":"/api/{}"}},{{"key":"http.status_code","type":"int64","value":200}},{{"key":"retry","type":"bool","value":false}}],"logs":["#,
            i % 20
        )
        .ok();
        if i % 10 == 0 {
            write!(
                out,
                r#"{{"timestamp":{},"fields":[{{"key":"event","type":"string","value":"cache miss"}},{{"key":"key","type":"string","value":"k{i}"}}]}}"#,
                start_us + 1
            )
            .ok();
        }
        write!(
            out,
            r#"],"processID":"p{}","warnings":null}}"#,
            i % SERVICES.len() + 1
        )
        .ok();
    }
    out.push_str(r#"],"processes":{"#);
    for (s, service) in SERVICES.iter().enumerate() {
        if s > 0 {
            out.push(',');
        }
        write!(
            out,
            r#""p{}":{{"serviceName":"{service}","tags":[{{"key":"host.name","type":"string","value":"node-{s}"}}]}}"#,
            s + 1
        )
        .ok();
    }
    out.push_str(r#"},"warnings":null}],"total":0,"limit":0,"offset":0,"errors":null}"#);
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    for (format, body) in [("otlp_json", otlp_json()), ("jaeger_json", jaeger_json())] {
        // Checked once so the numbers are for a decode that works.
        let decoded = open_trace_bytes(format, &body).expect("synthetic trace decodes");
        assert_eq!(decoded.span_count(), SPANS);
        assert_eq!(
            decoded.traces[0]
                .spans
                .iter()
                .filter(|s| s.parent.is_none())
                .count(),
            1
        );
        drop(decoded);
        let mut group = c.benchmark_group(format!("trace_decode_1m_spans_{format}"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(20));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("ours_into_model_trace", |b| {
            b.iter(|| black_box(open_trace_bytes(format, black_box(&body)).map(|d| d.span_count())))
        });
        group.bench_function("baseline_serde_json_value", |b| {
            b.iter(|| {
                black_box(
                    serde_json::from_slice::<serde_json::Value>(black_box(&body))
                        .map(|v| v.is_object()),
                )
            })
        });
        group.finish();
        eprintln!("{format}: {} bytes", body.len());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
