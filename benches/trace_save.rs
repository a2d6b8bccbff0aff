//! Saving a 1,000,000-span trace as OTLP/JSON (File → Save trace…): our streaming writer from
//! `model::Trace` against `serde_json` writing a `serde_json::Value` tree of the same document
//! (which an implementation building the JSON first would also have to allocate). Results are
//! recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench trace_save`.

/// The allocator the `signalscope` binary uses (src/main.rs), so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use signalscope::export::otlp_json::write_otlp_json;
use signalscope::model::synthetic_trace::{SyntheticTraceSpec, synthetic_trace};
use signalscope::model::{AttrValue, SpanEvent, Trace};
use signalscope::sources::trace_file::open_trace_bytes;
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const SPANS: usize = 1_000_000;

/// The synthetic trace with what real spans carry: a resource per service, three attributes
/// per span and an event on every 10th.
fn trace() -> Trace {
    let mut trace = synthetic_trace(SyntheticTraceSpec {
        spans: SPANS,
        seed: 7,
    });
    let mut resources: HashMap<String, Arc<[(String, AttrValue)]>> = HashMap::new();
    for (i, span) in trace.spans.iter_mut().enumerate() {
        let resource = resources.entry(span.service.clone()).or_insert_with(|| {
            Arc::from(vec![
                (
                    "service.name".to_owned(),
                    AttrValue::Str(span.service.clone()),
                ),
                ("host.name".to_owned(), AttrValue::Str("node-17".into())),
            ])
        });
        span.resource = Arc::clone(resource);
        span.attributes = vec![
            ("http.method".into(), AttrValue::Str("GET".into())),
            ("http.status_code".into(), AttrValue::Int(200)),
            ("net.peer.name".into(), AttrValue::Str("10.0.3.17".into())),
        ];
        if i % 10 == 0 {
            span.events.push(SpanEvent {
                time_ns: span.start_ns,
                name: "cache miss".into(),
                attributes: vec![("key".into(), AttrValue::Str(format!("item:{i}")))],
            });
        }
    }
    trace
}

fn bench(c: &mut Criterion) {
    let trace = trace();
    let mut written = Vec::new();
    write_otlp_json(&trace, &mut written).expect("writes");
    // Checked once so the numbers are for a file that opens as the same trace.
    let back = open_trace_bytes("saved", &written).expect("reads back");
    assert_eq!(back.span_count(), SPANS);
    drop(back);
    let value: serde_json::Value = serde_json::from_slice(&written).expect("JSON");
    let bytes = written.len();
    eprintln!("trace_save: {bytes} bytes");
    let mut group = c.benchmark_group("trace_save_1m_spans_otlp_json");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("ours_from_model_trace", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(bytes);
            write_otlp_json(black_box(&trace), &mut out).expect("writes");
            black_box(out.len())
        })
    });
    group.bench_function("baseline_serde_json_value", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(bytes);
            serde_json::to_writer(&mut out, black_box(&value)).expect("writes");
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
