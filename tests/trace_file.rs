//! Opening trace files: every file of the Jaeger fixtures either opens (span count and one
//! known span checked) or is refused with a clear "not a trace" error; Tempo and recorded OTLP
//! protobuf bodies open too; broken input is a decode error, never a panic.

use signalscope::model::{AttrValue, SpanStatus, Trace};
use signalscope::sources::trace_file::{open_trace_bytes, open_trace_file};
use signalscope::sources::{DecodedTraces, SourceError};
use std::path::{Path, PathBuf};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

fn open(path: &str) -> DecodedTraces {
    open_trace_file(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn only_trace(decoded: &DecodedTraces) -> &Trace {
    assert_eq!(decoded.traces.len(), 1, "one trace expected");
    &decoded.traces[0]
}

fn span<'a>(trace: &'a Trace, name: &str) -> &'a signalscope::model::Span {
    trace
        .spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

fn attr<'a>(attrs: &'a [(String, AttrValue)], key: &str) -> &'a AttrValue {
    &attrs
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no attribute {key}"))
        .1
}

/// (file, expected spans, a span name in it) for every Jaeger fixture that is a trace.
const TRACES: &[(&str, usize, &str)] = &[
    (
        "jaeger/api-legacy/anonymizer-trace_success.json",
        2,
        "a071653098f9250d",
    ),
    ("jaeger/api-legacy/otlp2jaeger-in.json", 2, "okey-dokey-0"),
    ("jaeger/api-legacy/otlp2jaeger-out.json", 2, "okey-dokey-0"),
    ("jaeger/api-legacy/ui_01.json", 5, "test-general-conversion"),
    ("jaeger/apiv3/FindTraces.json", 1, "foobar"),
    ("jaeger/apiv3/GetTrace.json", 1, "foobar"),
    ("jaeger/jaeger-ui/TraceGraph-testTrace.json", 11, "op1"),
    (
        "jaeger/jaeger-ui/genaiTestTrace.json",
        57,
        "POST /api/graphql",
    ),
    ("jaeger/jaeger-ui/oltp2jaeger-multi-out.json", 4, "main"),
    (
        "jaeger/jaeger-ui/otlp2jaeger-in-error.json",
        1,
        "okey-dokey-0",
    ),
    (
        "jaeger/jaeger-ui/spanAmongEachOtherGroupedAndSpans.json",
        17,
        "GET /api/customer/owners",
    ),
    (
        "jaeger/otlp-json/example_trace.json",
        5,
        "example-operation-2",
    ),
    (
        "jaeger/otlp-json/link_attributes_trace.json",
        1,
        "query25-operation",
    ),
    ("jaeger/otlp-json/log_tags_trace.json", 1, "placeholder"),
    (
        "jaeger/otlp-json/memory-otel_traces_01.json",
        4,
        "test-general-conversion-2",
    ),
    (
        "jaeger/otlp-json/scope_attributes_trace.json",
        1,
        "placeholder",
    ),
    ("jaeger/otlp-json/span_tags_trace.json", 1, "some-operation"),
];

/// Files that are Jaeger API answers but not traces, and a word the error must contain.
const NOT_TRACES: &[(&str, &str)] = &[
    ("jaeger/apiv3/FindTraceSummaries.json", "summaries"),
    ("jaeger/apiv3/GetOperations.json", "operations"),
    ("jaeger/apiv3/GetServices.json", "services"),
    ("jaeger/jaeger-ui/dependencies-small.json", "traceID"),
    ("jaeger/jaeger-ui/dependencies-large.json", "traceID"),
];

#[test]
fn every_jaeger_fixture_opens_or_is_explained() {
    let mut seen = 0;
    for dir in ["api-legacy", "apiv3", "jaeger-ui", "otlp-json"] {
        for entry in std::fs::read_dir(fixture(&format!("jaeger/{dir}"))).expect("fixture dir") {
            let name = format!(
                "jaeger/{dir}/{}",
                entry.expect("entry").file_name().to_string_lossy()
            );
            seen += 1;
            if let Some((_, spans, op)) = TRACES.iter().find(|(f, ..)| *f == name) {
                let decoded = open(&name);
                assert_eq!(decoded.span_count(), *spans, "{name}");
                assert_eq!(decoded.dropped_spans, 0, "{name}");
                assert!(
                    decoded
                        .traces
                        .iter()
                        .any(|t| t.spans.iter().any(|s| s.name == *op)),
                    "{name}: no span {op}"
                );
            } else if let Some((_, word)) = NOT_TRACES.iter().find(|(f, _)| *f == name) {
                match open_trace_file(&fixture(&name)) {
                    Err(SourceError::Decode { message, .. }) => {
                        assert!(message.contains("not a trace"), "{name}: {message}");
                        assert!(message.contains(word), "{name}: {message}");
                        assert!(message.contains("OTLP protobuf"), "says what was tried");
                    }
                    other => panic!("{name}: expected a not-a-trace error, got {other:?}"),
                }
            } else {
                panic!("{name} is neither listed as a trace nor as not-a-trace");
            }
        }
    }
    assert_eq!(seen, TRACES.len() + NOT_TRACES.len());
}

#[test]
fn legacy_trace_object_keeps_tags_logs_and_process() {
    let decoded = open("jaeger/api-legacy/ui_01.json");
    let trace = only_trace(&decoded);
    assert_eq!(
        trace.trace_id.to_string(),
        "00000000000000000000000000000001"
    );
    let op = trace
        .spans
        .iter()
        .find(|s| s.name == "some-operation" && !s.attributes.is_empty())
        .expect("tagged some-operation");
    assert_eq!(op.service, "service-x", "process p1");
    assert_eq!(
        attr(&op.resource, "service.name"),
        &AttrValue::Str("service-x".into())
    );
    assert_eq!(
        attr(&op.attributes, "blob"),
        &AttrValue::Bytes(vec![0, 0, 0x30, 0x39]),
        "binary tag"
    );
    assert_eq!(attr(&op.attributes, "peer.ipv4"), &AttrValue::Int(23456));
    assert_eq!(
        attr(&op.attributes, "temperature"),
        &AttrValue::Double(72.5)
    );
    assert_eq!(op.status, SpanStatus::Error, "error=true tag");
    let conversion = span(trace, "test-general-conversion");
    assert_eq!(conversion.events.len(), 2);
    assert_eq!(conversion.events[0].name, "some-event");
    assert_eq!(conversion.events[0].time_ns, 1_485_467_191_639_875_000);
    assert_eq!(conversion.duration_ns(), 5_000);
}

#[test]
fn jaeger_child_of_becomes_parent_and_64_bit_ids_are_padded() {
    let decoded = open("jaeger/api-legacy/anonymizer-trace_success.json");
    let trace = only_trace(&decoded);
    assert_eq!(
        trace.trace_id.to_string(),
        "00000000000000002be38093ead7a083"
    );
    let child = trace
        .spans
        .iter()
        .find(|s| s.span_id.to_string() == "7bd66f09ba90ea3d")
        .expect("child");
    let parent = &trace.spans[child.parent.expect("linked") as usize];
    assert_eq!(parent.span_id.to_string(), "7606ddfe69932d34");
    assert_eq!(child.kind, 3, "span.kind=client");
    assert_eq!(child.status, SpanStatus::Error);
    // The root's parent 492770a15935810f is not in the file: it stays a root.
    assert!(parent.parent.is_none());
    assert!(parent.parent_id.is_some());
}

#[test]
fn non_hex_ids_open_with_stable_hashes_and_a_note() {
    let a = open("jaeger/jaeger-ui/TraceGraph-testTrace.json");
    let b = open("jaeger/jaeger-ui/TraceGraph-testTrace.json");
    assert_eq!(a, b);
    assert!(
        a.notes.iter().any(|n| n.contains("not hex")),
        "{:?}",
        a.notes
    );
    let trace = only_trace(&a);
    assert_eq!(trace.spans.iter().filter(|s| s.parent.is_none()).count(), 1);
}

#[test]
fn trimmed_hex_trace_id_is_left_padded() {
    let decoded = open("jaeger/jaeger-ui/spanAmongEachOtherGroupedAndSpans.json");
    assert_eq!(
        only_trace(&decoded).trace_id.to_string(),
        "0df84e36b9e2ee3815d07f0867a5be1f"
    );
}

#[test]
fn otlp_json_links_events_scope_and_resource() {
    let decoded = open("jaeger/otlp-json/link_attributes_trace.json");
    let s = span(only_trace(&decoded), "query25-operation");
    assert_eq!(s.links.len(), 3);
    assert_eq!(
        s.links[0].trace_id.to_string(),
        "000000000000000000000000000000ff"
    );
    assert_eq!(
        attr(&s.links[0].attributes, "opentracing.ref_type"),
        &AttrValue::Str("child_of".into())
    );
    assert_eq!(
        attr(&s.resource, "service.name"),
        &AttrValue::Str("query25-service".into())
    );

    let decoded = open("jaeger/otlp-json/memory-otel_traces_01.json");
    assert_eq!(decoded.traces.len(), 2, "two traces in one file");
    let s = span(&decoded.traces[0], "test-general-conversion-2");
    assert_eq!(s.status, SpanStatus::Error);
    assert_eq!(s.events.len(), 2);
    assert_eq!(s.links.len(), 2);
    assert!(!s.scope.is_empty());
}

#[test]
fn tempo_files_and_otlp_protobuf_open_the_story_trace() {
    for file in ["tempo/trace-v2.json", "tempo/trace-v1-batches.json"] {
        let decoded = open(file);
        let trace = only_trace(&decoded);
        assert_eq!(
            trace.trace_id.to_string(),
            "bdd640fb06671ad11c80317fa3b1799d"
        );
        assert_eq!(trace.spans.len(), 10, "{file}");
        let errors = trace
            .spans
            .iter()
            .filter(|s| s.status == SpanStatus::Error)
            .count();
        assert_eq!(errors, 6, "{file}");
    }
    let pb = fixture("otlp/recorded/grpc/traces-checkout.pb");
    let decoded = open_trace_file(&pb).expect("protobuf opens");
    let trace = only_trace(&decoded);
    assert_eq!(
        trace.trace_id.to_string(),
        "bdd640fb06671ad11c80317fa3b1799d"
    );
    assert_eq!(trace.spans.len(), 4);
    assert!(trace.spans.iter().all(|s| s.service == "checkout"));
}

#[test]
fn broken_input_is_a_decode_error_not_a_panic() {
    let whole = std::fs::read(fixture("tempo/trace-v2.json")).expect("fixture");
    for cut in [1, 10, whole.len() / 2, whole.len() - 1] {
        match open_trace_bytes("cut.json", &whole[..cut]) {
            Err(SourceError::Decode { line, .. }) => assert!(line >= 1),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    for junk in [
        &b""[..],
        b"   ",
        b"<html>502 Bad Gateway</html>",
        b"\xff\xfe\x00garbage",
        b"{}",
        b"[]",
        b"null",
    ] {
        assert!(
            matches!(
                open_trace_bytes("junk", junk),
                Err(SourceError::Decode { .. })
            ),
            "{junk:?}"
        );
    }
}

/// A span as written and read back: the resource with `service.name` (the span's service) first,
/// arrays and maps (kept as text) as strings, the parent by id rather than by index.
fn comparable(span: &signalscope::model::Span) -> String {
    let text_as_str = |attrs: &[(String, AttrValue)]| -> Vec<(String, AttrValue)> {
        attrs
            .iter()
            .map(|(k, v)| match v {
                AttrValue::Text(t) => (k.clone(), AttrValue::Str(t.clone())),
                v => (k.clone(), v.clone()),
            })
            .collect()
    };
    let mut span = span.clone();
    span.parent = None;
    span.attributes = text_as_str(&span.attributes);
    for event in &mut span.events {
        event.attributes = text_as_str(&event.attributes);
    }
    for link in &mut span.links {
        link.attributes = text_as_str(&link.attributes);
    }
    let mut resource = vec![(
        "service.name".to_owned(),
        AttrValue::Str(span.service.clone()),
    )];
    resource.extend(
        text_as_str(&span.resource)
            .into_iter()
            .filter(|(k, _)| k != "service.name"),
    );
    span.resource = resource.into();
    format!("{span:?}")
}

/// File → Save trace… writes OTLP/JSON: every trace of every fixture that opens (Jaeger's API
/// answers and files, OTLP/JSON, Tempo's, OTLP protobuf) is written, opened again, and has the
/// same spans with the same parents.
#[test]
fn every_fixture_trace_saved_as_otlp_json_opens_the_same() {
    use signalscope::export::otlp_json::write_otlp_json;
    let files = TRACES
        .iter()
        .map(|(f, ..)| *f)
        .chain(["tempo/trace-v2.json", "tempo/trace-v1-batches.json"])
        .chain(["otlp/recorded/grpc/traces-checkout.pb"]);
    let mut traces = 0;
    for file in files {
        for trace in open(file).traces {
            let mut bytes = Vec::new();
            write_otlp_json(&trace, &mut bytes).expect("writes");
            let decoded =
                open_trace_bytes("saved", &bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(decoded.dropped_spans, 0, "{file}");
            let back = only_trace(&decoded);
            assert_eq!(back.trace_id, trace.trace_id, "{file}");
            let mut was: Vec<String> = trace.spans.iter().map(comparable).collect();
            let mut now: Vec<String> = back.spans.iter().map(comparable).collect();
            was.sort();
            now.sort();
            assert_eq!(now, was, "{file}");
            // Parents resolve to the same spans.
            let parent_of = |t: &Trace| -> Vec<_> {
                let mut v: Vec<_> = t
                    .spans
                    .iter()
                    .map(|s| (s.span_id, s.parent.map(|p| t.spans[p as usize].span_id)))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(parent_of(back), parent_of(&trace), "{file}");
            traces += 1;
        }
    }
    assert!(traces >= TRACES.len() + 3, "{traces} traces");
}
