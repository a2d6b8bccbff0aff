//! Jaeger's JSON trace format (the legacy `/api/traces` answer, Jaeger UI downloads) into the
//! model: typed serde structs, no JSON tree.
//!
//! Mapping: times are microseconds; the first `CHILD_OF` reference (else the first
//! `FOLLOWS_FROM`) in the same trace is the parent and the other references become links;
//! `span.kind`, `otel.status_code`, `otel.status_description` and `otel.scope.name` tags become
//! the span's kind, status and scope; an `error=true` tag marks an error; logs become events
//! (named by their `event` field); the process's tags become the resource. Ids that are not
//! hex (test data uses `span-1`) are replaced by stable hashes and counted.

use crate::model::{AttrValue, Span, SpanEvent, SpanId, SpanLink, SpanStatus, TraceId};
use crate::sources::decoded_traces::SpanCollector;
use crate::sources::json_scalars::{FlexU64, null_as_default};
use crate::sources::otlp_traces::decode_base64;
use serde::Deserialize;
use serde::de::{Deserializer, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The legacy API envelope: `{"data": [...], "errors": [{"code", "msg"}]}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EnvelopeJson<T> {
    #[serde(default = "Option::default")]
    pub data: Option<T>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub errors: Vec<ErrorJson>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorJson {
    #[serde(default)]
    pub code: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub msg: String,
}

/// One trace object: `{"traceID", "spans", "processes", "warnings"}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TraceJson {
    #[serde(default, deserialize_with = "null_as_default")]
    pub spans: Vec<SpanJson>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub processes: HashMap<String, ProcessJson>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpanJson {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(rename = "spanID")]
    span_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    operation_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    references: Vec<ReferenceJson>,
    #[serde(default)]
    start_time: FlexU64,
    #[serde(default)]
    duration: FlexU64,
    #[serde(default, deserialize_with = "null_as_default")]
    tags: Vec<TagJson>,
    #[serde(default, deserialize_with = "null_as_default")]
    logs: Vec<LogJson>,
    #[serde(default, rename = "processID")]
    process_id: Option<String>,
    /// Spans saved one by one (the anonymizer's format) carry their process inline.
    #[serde(default)]
    process: Option<ProcessJson>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceJson {
    #[serde(default, deserialize_with = "null_as_default")]
    ref_type: String,
    #[serde(rename = "traceID", default, deserialize_with = "null_as_default")]
    trace_id: String,
    #[serde(rename = "spanID", default, deserialize_with = "null_as_default")]
    span_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProcessJson {
    #[serde(default, deserialize_with = "null_as_default")]
    service_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    tags: Vec<TagJson>,
}

#[derive(Debug, Deserialize)]
struct LogJson {
    #[serde(default)]
    timestamp: FlexU64,
    #[serde(default, deserialize_with = "null_as_default")]
    fields: Vec<TagJson>,
}

#[derive(Debug, Deserialize)]
struct TagJson {
    key: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    value: RawValue,
}

/// A tag's `value` as written; `type` says how to read it (`"true"` may be a bool).
#[derive(Debug, Default)]
enum RawValue {
    #[default]
    Null,
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or bool")
            }
            fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
                Ok(RawValue::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
                Ok(RawValue::Str(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
                Ok(RawValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
                Ok(RawValue::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
                Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
                Ok(RawValue::Float(v))
            }
            fn visit_unit<E>(self) -> Result<RawValue, E> {
                Ok(RawValue::Null)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl TagJson {
    fn into_pair(self) -> (String, AttrValue) {
        let value = match (self.kind.as_deref(), self.value) {
            (Some("bool"), RawValue::Str(s)) => match s.as_str() {
                "true" => AttrValue::Bool(true),
                "false" => AttrValue::Bool(false),
                _ => AttrValue::Str(s),
            },
            (Some("int64"), RawValue::Str(s)) => {
                s.parse().map_or(AttrValue::Str(s), AttrValue::Int)
            }
            (Some("float64"), RawValue::Str(s)) => {
                s.parse().map_or(AttrValue::Str(s), AttrValue::Double)
            }
            (Some("float64"), RawValue::Int(i)) => AttrValue::Double(i as f64),
            (Some("binary"), RawValue::Str(s)) => {
                decode_base64(&s).map_or(AttrValue::Str(s), AttrValue::Bytes)
            }
            (_, RawValue::Str(s)) => AttrValue::Str(s),
            (_, RawValue::Bool(b)) => AttrValue::Bool(b),
            (_, RawValue::Int(i)) => AttrValue::Int(i),
            (_, RawValue::Float(f)) => AttrValue::Double(f),
            (_, RawValue::Null) => AttrValue::Str(String::new()),
        };
        (self.key, value)
    }
}

/// Turns ids into model ids, hashing the ones that are not hex (and counting them).
struct IdReader<'a> {
    out: &'a mut SpanCollector,
}

impl IdReader<'_> {
    fn trace(&mut self, text: &str) -> Option<TraceId> {
        if text.trim().is_empty() {
            return None;
        }
        TraceId::parse(text).or_else(|| {
            self.out.rehashed_ids += 1;
            let (a, b) = (fnv1a(text, 0), fnv1a(text, 1));
            let mut id = [0u8; 16];
            id[..8].copy_from_slice(&a.to_be_bytes());
            id[8..].copy_from_slice(&b.to_be_bytes());
            TraceId::from_bytes(&id)
        })
    }

    fn span(&mut self, text: &str) -> Option<SpanId> {
        if text.trim().is_empty() {
            return None;
        }
        SpanId::parse(text).or_else(|| {
            self.out.rehashed_ids += 1;
            SpanId::from_bytes(&fnv1a(text, 0).to_be_bytes())
        })
    }
}

/// FNV-1a, seeded, for stable stand-in ids.
fn fnv1a(text: &str, seed: u64) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ seed;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn span_kind(text: &str) -> i32 {
    match text {
        "internal" => 1,
        "server" => 2,
        "client" => 3,
        "producer" => 4,
        "consumer" => 5,
        _ => 0,
    }
}

/// A process's service name and the resource its spans share.
type Process = (String, Arc<[(String, AttrValue)]>);

/// A process as the resource its spans share, with `service.name` first.
fn resource_of(process: ProcessJson) -> Process {
    let mut attrs = vec![(
        "service.name".to_owned(),
        AttrValue::Str(process.service_name.clone()),
    )];
    attrs.extend(process.tags.into_iter().map(TagJson::into_pair));
    (process.service_name, Arc::from(attrs))
}

/// Moves the spans of Jaeger trace objects into `out`.
pub(crate) fn collect_traces(traces: Vec<TraceJson>, out: &mut SpanCollector) {
    for trace in traces {
        let processes: HashMap<String, Process> = trace
            .processes
            .into_iter()
            .map(|(id, p)| (id, resource_of(p)))
            .collect();
        out.reserve(trace.spans.len());
        for span in trace.spans {
            let process = span
                .process_id
                .as_ref()
                .and_then(|id| processes.get(id))
                .cloned();
            collect_span(span, process, out);
        }
    }
}

/// Moves a bare list of spans (each with its `process` inline) into `out`.
pub(crate) fn collect_spans(spans: Vec<SpanJson>, out: &mut SpanCollector) {
    out.reserve(spans.len());
    for span in spans {
        collect_span(span, None, out);
    }
}

fn collect_span(mut span: SpanJson, process: Option<Process>, out: &mut SpanCollector) {
    let (service, resource) = process
        .or_else(|| span.process.take().map(resource_of))
        .unwrap_or_else(|| (String::new(), Arc::from([])));
    let mut ids = IdReader { out };
    let (Some(trace_id), Some(span_id)) = (ids.trace(&span.trace_id), ids.span(&span.span_id))
    else {
        out.dropped_spans += 1;
        return;
    };
    let parent_position = span
        .references
        .iter()
        .position(|r| r.ref_type == "CHILD_OF")
        .or_else(|| {
            span.references
                .iter()
                .position(|r| r.ref_type == "FOLLOWS_FROM")
        });
    let mut parent_id = None;
    let mut links = Vec::new();
    for (i, reference) in span.references.into_iter().enumerate() {
        let mut ids = IdReader { out };
        let (Some(ref_trace), Some(ref_span)) =
            (ids.trace(&reference.trace_id), ids.span(&reference.span_id))
        else {
            out.dropped_links += 1;
            continue;
        };
        if Some(i) == parent_position && ref_trace == trace_id {
            parent_id = Some(ref_span);
        } else {
            links.push(SpanLink {
                trace_id: ref_trace,
                span_id: ref_span,
                attributes: vec![(
                    "opentracing.ref_type".to_owned(),
                    AttrValue::Str(reference.ref_type.to_ascii_lowercase()),
                )],
            });
        }
    }
    let mut kind = 0;
    let mut status = SpanStatus::Unset;
    let mut status_message = String::new();
    let mut scope = String::new();
    let mut attributes = Vec::with_capacity(span.tags.len());
    for tag in span.tags {
        let (key, value) = tag.into_pair();
        match key.as_str() {
            "span.kind" => kind = span_kind(&value.to_string()),
            "otel.status_code" => match value.to_string().as_str() {
                "ERROR" => status = SpanStatus::Error,
                "OK" if status != SpanStatus::Error => status = SpanStatus::Ok,
                _ => {}
            },
            "otel.status_description" => status_message = value.to_string(),
            "otel.scope.name" => scope = value.to_string(),
            _ => {
                if key == "error" && value == AttrValue::Bool(true) {
                    status = SpanStatus::Error;
                }
                attributes.push((key, value));
            }
        }
    }
    let events = span
        .logs
        .into_iter()
        .map(|log| {
            let mut name = String::new();
            let mut attributes = Vec::with_capacity(log.fields.len());
            for field in log.fields {
                let (key, value) = field.into_pair();
                if key == "event" && name.is_empty() {
                    name = value.to_string();
                } else {
                    attributes.push((key, value));
                }
            }
            SpanEvent {
                time_ns: log.timestamp.0.saturating_mul(1000),
                name,
                attributes,
            }
        })
        .collect();
    let start_ns = span.start_time.0.saturating_mul(1000);
    out.push(
        trace_id,
        Span {
            span_id,
            parent_id,
            parent: None,
            service,
            name: span.operation_name,
            kind,
            start_ns,
            end_ns: start_ns.saturating_add(span.duration.0.saturating_mul(1000)),
            status,
            status_message,
            attributes,
            events,
            links,
            resource,
            scope: Arc::from(scope),
        },
    );
}
