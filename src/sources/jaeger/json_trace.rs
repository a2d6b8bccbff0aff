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
use crate::sources::decoded_traces::{Resource, SharedEmpty, SpanCollector, convert_while_reading};
use crate::sources::json_scalars::{FlexU64, JsonStr, Visiting, null_as_default};
use crate::sources::otlp_traces::decode_base64;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
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

/// One trace object (`{"traceID", "spans", "processes", "warnings"}`), its spans already in the
/// model. Each span is converted as soon as it is read, with its strings borrowed from the
/// input, so a million spans never exist twice; Jaeger writes `processes` after `spans`, so
/// services and resources are filled in when the object ends.
#[derive(Default)]
pub(crate) struct TraceJson(pub SpanCollector);

impl<'de> Deserialize<'de> for TraceJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TraceJson;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Jaeger trace object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TraceJson, A::Error> {
                let mut trace = TraceObject::default();
                while let Some(key) = map.next_key::<JsonStr>()? {
                    trace.read_field(key.as_str(), &mut map)?;
                }
                Ok(TraceJson(trace.finish()))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// A Jaeger trace object as its fields arrive: spans converted, processes pending.
#[derive(Default)]
pub(crate) struct TraceObject {
    spans: SpanCollector,
    /// Per collected span, its `processID` as an index into `process_ids`.
    process_of: Vec<Option<u32>>,
    process_ids: HashMap<String, u32>,
    processes: HashMap<String, Resource>,
    ids: IdReader,
    shared: SharedEmpty,
}

impl TraceObject {
    /// Reads the value of the object's field `key`: `spans` and `processes` are kept, the rest
    /// (`traceID`, `warnings`) skipped. Returns whether the key belongs to a trace object.
    pub fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "spans" => map.next_value_seed(Visiting(SpanList(self)))?,
            "processes" => {
                let processes: Option<HashMap<String, ProcessJson<'de>>> = map.next_value()?;
                self.processes = processes
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(id, p)| (id, resource_of(p)))
                    .collect();
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
                return Ok(key == "traceID");
            }
        }
        Ok(true)
    }

    fn add_all(&mut self, spans: Vec<SpanJson<'_>>) {
        for span in spans {
            self.add(span);
        }
    }

    /// Converts one span and keeps it, remembering its process for `finish`.
    fn add(&mut self, span: SpanJson<'_>) {
        let process = span.process_id.as_ref().map(|id| {
            let next = self.process_ids.len() as u32;
            match self.process_ids.get(id.as_str()) {
                Some(&index) => index,
                None => *self
                    .process_ids
                    .entry(id.as_str().to_owned())
                    .or_insert(next),
            }
        });
        if let Some((trace_id, span)) =
            convert_span(span, &mut self.spans, &mut self.ids, &self.shared)
        {
            self.spans.push(trace_id, span);
            self.process_of.push(process);
        }
    }

    /// The spans with their process's service and resource.
    pub fn finish(mut self) -> SpanCollector {
        self.spans.rehashed_ids += self.ids.rehashed;
        let mut by_index: Vec<Option<&Resource>> = vec![None; self.process_ids.len()];
        for (id, &index) in &self.process_ids {
            by_index[index as usize] = self.processes.get(id);
        }
        for (span, process) in self.spans.spans_mut().iter_mut().zip(&self.process_of) {
            if let Some((service, resource)) = process.and_then(|i| by_index[i as usize]) {
                span.service.clone_from(service);
                span.resource = Arc::clone(resource);
            }
        }
        self.spans
    }
}

/// The `spans` array, read span by span into a [`TraceObject`]; `null` is no spans.
pub(crate) struct SpanList<'t>(pub &'t mut TraceObject);

impl<'de> Visitor<'de> for SpanList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Jaeger spans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let trace = self.0;
        convert_while_reading(seq, "jaeger-spans", |batch: Vec<SpanJson<'de>>| {
            trace.add_all(batch)
        })
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One span as written, its strings borrowed from the input where possible.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpanJson<'a> {
    #[serde(rename = "traceID", borrow)]
    trace_id: JsonStr<'a>,
    #[serde(rename = "spanID", borrow)]
    span_id: JsonStr<'a>,
    #[serde(default, borrow)]
    operation_name: JsonStr<'a>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    references: Vec<ReferenceJson<'a>>,
    #[serde(default)]
    start_time: FlexU64,
    #[serde(default)]
    duration: FlexU64,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    tags: Vec<TagJson<'a>>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    logs: Vec<LogJson<'a>>,
    #[serde(default, rename = "processID", borrow)]
    process_id: Option<JsonStr<'a>>,
    /// Spans saved one by one (the anonymizer's format) carry their process inline.
    #[serde(default, borrow)]
    process: Option<ProcessJson<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceJson<'a> {
    #[serde(default, borrow)]
    ref_type: JsonStr<'a>,
    #[serde(rename = "traceID", default, borrow)]
    trace_id: JsonStr<'a>,
    #[serde(rename = "spanID", default, borrow)]
    span_id: JsonStr<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProcessJson<'a> {
    #[serde(default, borrow)]
    service_name: JsonStr<'a>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    tags: Vec<TagJson<'a>>,
}

#[derive(Debug, Deserialize)]
struct LogJson<'a> {
    #[serde(default)]
    timestamp: FlexU64,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    fields: Vec<TagJson<'a>>,
}

#[derive(Debug, Deserialize)]
struct TagJson<'a> {
    #[serde(borrow)]
    key: JsonStr<'a>,
    #[serde(default, rename = "type", borrow)]
    kind: Option<JsonStr<'a>>,
    #[serde(default, borrow)]
    value: RawValue<'a>,
}

/// A tag's `value` as written; `type` says how to read it (`"true"` may be a bool).
#[derive(Debug, Default)]
enum RawValue<'a> {
    #[default]
    Null,
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl<'de: 'a, 'a> Deserialize<'de> for RawValue<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawValue<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or bool")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<RawValue<'a>, E> {
                Ok(RawValue::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawValue<'a>, E> {
                Ok(RawValue::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<RawValue<'a>, E> {
                Ok(RawValue::Str(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawValue<'a>, E> {
                Ok(RawValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawValue<'a>, E> {
                Ok(RawValue::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawValue<'a>, E> {
                Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawValue<'a>, E> {
                Ok(RawValue::Float(v))
            }
            fn visit_unit<E>(self) -> Result<RawValue<'a>, E> {
                Ok(RawValue::Null)
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

impl TagJson<'_> {
    /// The value as its `type` says to read it.
    fn into_value(self) -> AttrValue {
        match (self.kind.as_ref().map(JsonStr::as_str), self.value) {
            (Some("bool"), RawValue::Str(s)) => match &*s {
                "true" => AttrValue::Bool(true),
                "false" => AttrValue::Bool(false),
                _ => AttrValue::Str(s.into_owned()),
            },
            (Some("int64"), RawValue::Str(s)) => s
                .parse()
                .map_or_else(|_| AttrValue::Str(s.into_owned()), AttrValue::Int),
            (Some("float64"), RawValue::Str(s)) => s
                .parse()
                .map_or_else(|_| AttrValue::Str(s.into_owned()), AttrValue::Double),
            (Some("float64"), RawValue::Int(i)) => AttrValue::Double(i as f64),
            (Some("binary"), RawValue::Str(s)) => {
                decode_base64(&s).map_or_else(|| AttrValue::Str(s.into_owned()), AttrValue::Bytes)
            }
            (_, RawValue::Str(s)) => AttrValue::Str(s.into_owned()),
            (_, RawValue::Bool(b)) => AttrValue::Bool(b),
            (_, RawValue::Int(i)) => AttrValue::Int(i),
            (_, RawValue::Float(f)) => AttrValue::Double(f),
            (_, RawValue::Null) => AttrValue::Str(String::new()),
        }
    }

    /// The value as text, for tags read as the span's kind or status.
    fn text(&self) -> Cow<'_, str> {
        match &self.value {
            RawValue::Str(s) => Cow::Borrowed(s),
            RawValue::Null => Cow::Borrowed(""),
            RawValue::Bool(b) => Cow::Owned(b.to_string()),
            RawValue::Int(i) => Cow::Owned(i.to_string()),
            RawValue::Float(f) => Cow::Owned(f.to_string()),
        }
    }

    fn into_pair(self) -> (String, AttrValue) {
        let key = self.key.0.to_string();
        (key, self.into_value())
    }
}

/// Turns ids into model ids, hashing the ones that are not hex (and counting them). Every span
/// and reference repeats its trace's id, so the last one read is remembered.
#[derive(Default)]
struct IdReader {
    last_trace: Option<(String, TraceId)>,
    rehashed: u64,
}

impl IdReader {
    fn trace(&mut self, text: &str) -> Option<TraceId> {
        if let Some((last_text, id)) = &self.last_trace
            && last_text == text
        {
            return Some(*id);
        }
        if text.trim().is_empty() {
            return None;
        }
        let id = TraceId::parse(text).or_else(|| {
            self.rehashed += 1;
            let (a, b) = (fnv1a(text, 0), fnv1a(text, 1));
            let mut id = [0u8; 16];
            id[..8].copy_from_slice(&a.to_be_bytes());
            id[8..].copy_from_slice(&b.to_be_bytes());
            TraceId::from_bytes(&id)
        })?;
        match &mut self.last_trace {
            Some((last_text, last_id)) => {
                last_text.clear();
                last_text.push_str(text);
                *last_id = id;
            }
            None => self.last_trace = Some((text.to_owned(), id)),
        }
        Some(id)
    }

    fn span(&mut self, text: &str) -> Option<SpanId> {
        if text.len() == 16
            && let Some(id) = SpanId::parse_hex(text)
        {
            return Some(id);
        }
        if text.trim().is_empty() {
            return None;
        }
        SpanId::parse(text).or_else(|| {
            self.rehashed += 1;
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

/// A process as the resource its spans share, with `service.name` first.
fn resource_of(process: ProcessJson<'_>) -> Resource {
    let service = process.service_name.0.into_owned();
    let mut attrs = vec![("service.name".to_owned(), AttrValue::Str(service.clone()))];
    attrs.extend(process.tags.into_iter().map(TagJson::into_pair));
    (service, Arc::from(attrs))
}

/// Moves the spans of Jaeger trace objects into `out`.
pub(crate) fn collect_traces(traces: Vec<TraceJson>, out: &mut SpanCollector) {
    for trace in traces {
        out.append(trace.0);
    }
}

/// A span in the model, with the trace it belongs to; `None` when its ids are unreadable
/// (counted in `out`). Its service and resource are the inline process's, if any.
fn convert_span(
    mut span: SpanJson<'_>,
    out: &mut SpanCollector,
    ids: &mut IdReader,
    shared: &SharedEmpty,
) -> Option<(TraceId, Span)> {
    let (service, resource) = match span.process.take() {
        Some(process) => resource_of(process),
        None => (String::new(), Arc::clone(&shared.resource)),
    };
    let (Some(trace_id), Some(span_id)) = (
        ids.trace(span.trace_id.as_str()),
        ids.span(span.span_id.as_str()),
    ) else {
        out.dropped_spans += 1;
        return None;
    };
    let parent_position = span
        .references
        .iter()
        .position(|r| r.ref_type.as_str() == "CHILD_OF")
        .or_else(|| {
            span.references
                .iter()
                .position(|r| r.ref_type.as_str() == "FOLLOWS_FROM")
        });
    let mut parent_id = None;
    let mut links = Vec::new();
    for (i, reference) in span.references.into_iter().enumerate() {
        let (Some(ref_trace), Some(ref_span)) = (
            ids.trace(reference.trace_id.as_str()),
            ids.span(reference.span_id.as_str()),
        ) else {
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
                    AttrValue::Str(reference.ref_type.as_str().to_ascii_lowercase()),
                )],
            });
        }
    }
    let mut kind = 0;
    let mut status = SpanStatus::Unset;
    let mut status_message = String::new();
    let mut scope = Arc::clone(&shared.scope);
    let mut attributes = Vec::with_capacity(span.tags.len());
    for tag in span.tags {
        match tag.key.as_str() {
            "span.kind" => kind = span_kind(&tag.text()),
            "otel.status_code" => match &*tag.text() {
                "ERROR" => status = SpanStatus::Error,
                "OK" if status != SpanStatus::Error => status = SpanStatus::Ok,
                _ => {}
            },
            "otel.status_description" => status_message = tag.text().into_owned(),
            "otel.scope.name" => scope = Arc::from(&*tag.text()),
            _ => {
                let (key, value) = tag.into_pair();
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
                if field.key.as_str() == "event" && name.is_empty() {
                    name = field.into_value().to_string();
                } else {
                    attributes.push(field.into_pair());
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
    Some((
        trace_id,
        Span {
            span_id,
            parent_id,
            parent: None,
            service,
            name: span.operation_name.0.into_owned(),
            kind,
            start_ns,
            end_ns: start_ns.saturating_add(span.duration.0.saturating_mul(1000)),
            status,
            status_message,
            attributes,
            events,
            links,
            resource,
            scope,
        },
    ))
}

#[cfg(test)]
mod tests {
    use crate::model::{AttrValue, SpanId, Trace};
    use crate::sources::trace_file::open_trace_bytes;
    use std::fmt::Write as _;

    /// `n` spans of one trace, span `i` (ids `i + 1`) a child of span `(i - 1) / 2`, written
    /// in reverse start order, on processes p1 (`alpha`) and p2 (`beta`).
    fn spans_json(n: usize) -> String {
        let mut out = String::new();
        for i in (0..n).rev() {
            let reference = if i == 0 {
                String::new()
            } else {
                format!(
                    r#"{{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"{:016x}"}}"#,
                    (i - 1) / 2 + 1
                )
            };
            write!(
                out,
                r#"{{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"{:016x}","operationName":"op {i}","references":[{reference}],"startTime":{},"duration":10,"tags":[{{"key":"n","type":"int64","value":{i}}}],"logs":[],"processID":"p{}"}},"#,
                i + 1,
                1_000 + i,
                i % 2 + 1
            )
            .unwrap();
        }
        out.pop();
        out
    }

    const PROCESSES: &str = r#""processes":{"p1":{"serviceName":"alpha","tags":[]},"p2":{"serviceName":"beta","tags":[{"key":"host","type":"string","value":"h2"}]}}"#;

    /// The legacy API's answer: one trace object with `processes` after `spans`.
    fn in_envelope(spans: &str) -> String {
        format!(r#"{{"data":[{{"spans":[{spans}],{PROCESSES}}}]}}"#)
    }

    fn only_trace(body: &str) -> Trace {
        let mut decoded = open_trace_bytes("test", body.as_bytes()).expect("decodes");
        assert_eq!(decoded.traces.len(), 1);
        decoded.traces.remove(0)
    }

    fn check_tree(trace: &Trace, n: usize) {
        assert_eq!(trace.spans.len(), n);
        for (i, span) in trace.spans.iter().enumerate() {
            // Sorted by start, which is the span's number.
            assert_eq!(span.name, format!("op {i}"));
            assert_eq!(span.service, if i % 2 == 0 { "alpha" } else { "beta" });
            assert_eq!(
                span.attributes,
                vec![("n".to_owned(), AttrValue::Int(i as i64))]
            );
            let parent = span.parent.map(|p| p as usize);
            assert_eq!(parent, (i > 0).then(|| (i - 1) / 2), "span {i}");
        }
        assert_eq!(
            trace.spans[1].resource[1],
            ("host".to_owned(), AttrValue::Str("h2".to_owned()))
        );
    }

    #[test]
    fn processes_written_before_or_after_the_spans_name_their_services() {
        for n in [3, 5_000] {
            let after = in_envelope(&spans_json(n));
            check_tree(&only_trace(&after), n);
            let before = format!(
                r#"{{"traceID":"0af7651916cd43dd8448eb211c80319c",{PROCESSES},"spans":[{}]}}"#,
                spans_json(n)
            );
            check_tree(&only_trace(&before), n);
        }
    }

    #[test]
    fn a_large_trace_read_on_two_threads_keeps_every_span_and_count() {
        // More than two batches, one span with ids that are not hex and one with no span id.
        let n = 2 * crate::sources::decoded_traces::SPAN_BATCH + 7;
        let extra = r#",{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"span-x","operationName":"odd","startTime":99999,"duration":1,"processID":"p1"},{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"","operationName":"no id","startTime":5,"duration":1}"#;
        let body = in_envelope(&(spans_json(n) + extra));
        let decoded = open_trace_bytes("big", body.as_bytes()).expect("decodes");
        assert_eq!(decoded.dropped_spans, 1);
        assert_eq!(decoded.notes.len(), 1, "{:?}", decoded.notes);
        assert!(decoded.notes[0].starts_with("1 ids were not hex"));
        let trace = &decoded.traces[0];
        assert_eq!(trace.spans.len(), n + 1);
        assert_eq!(trace.spans.last().map(|s| s.name.as_str()), Some("odd"));
        let mut kept = trace.clone();
        kept.spans.pop();
        check_tree(&kept, n);
    }

    #[test]
    fn truncated_or_malformed_spans_are_a_decode_error_at_any_size() {
        for n in [3, 5_000] {
            let body = in_envelope(&spans_json(n));
            let cut = &body[..body.len() * 2 / 3];
            assert!(
                open_trace_bytes("cut", cut.as_bytes()).is_err(),
                "{n} spans, cut"
            );
            let bad = body.replacen(r#""duration":10"#, r#""duration":"ten""#, 1);
            let error = open_trace_bytes("bad", bad.as_bytes()).expect_err("bad duration");
            assert!(error.to_string().contains("ten"), "{error}");
        }
    }

    #[test]
    fn escaped_strings_are_unescaped_and_plain_ones_borrowed_alike() {
        let body = r#"{"data":[{"spans":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"00000000000000\u0030a","operationName":"GET \"/caf\u00e9\"","startTime":1,"duration":1,"tags":[{"key":"k\té","type":"string","value":"v\\1"},{"key":"span.kind","type":"string","value":"ser\u0076er"}],"processID":"p\u0031"}],"processes":{"p1":{"serviceName":"a\"b","tags":null}}}]}"#;
        let trace = only_trace(body);
        let span = &trace.spans[0];
        assert_eq!(span.span_id, SpanId::parse_hex("000000000000000a").unwrap());
        assert_eq!(span.name, "GET \"/café\"");
        assert_eq!(span.service, "a\"b");
        assert_eq!(span.kind, 2);
        assert_eq!(
            span.attributes,
            vec![("k\té".to_owned(), AttrValue::Str("v\\1".to_owned()))]
        );
    }

    #[test]
    fn a_bare_span_array_with_inline_processes_opens_at_any_size() {
        for n in [2usize, 3_000] {
            let spans: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        r#"{{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"{:016x}","operationName":"op {i}","startTime":{},"duration":1,"process":{{"serviceName":"svc{}","tags":[]}}}}"#,
                        i + 1,
                        10 + i,
                        i % 3
                    )
                })
                .collect();
            let trace = only_trace(&format!("[{}]", spans.join(",")));
            assert_eq!(trace.spans.len(), n);
            for (i, span) in trace.spans.iter().enumerate() {
                assert_eq!(span.service, format!("svc{}", i % 3));
            }
        }
    }
}
