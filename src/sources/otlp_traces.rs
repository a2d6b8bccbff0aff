//! OTLP traces into the model, from OTLP/JSON as servers really write it and from OTLP
//! protobuf (`ExportTraceServiceRequest`, which has the wire format of `TracesData`).
//!
//! The receiver's decoder (`crate::otlp::json`) goes to the `opentelemetry-proto` types, which
//! take only hex ids and integer enums; Tempo writes base64 ids and enum names
//! (`"SPAN_KIND_SERVER"`, `"STATUS_CODE_ERROR"`), and Jaeger v3 and trace files mix both. So
//! this decoder reads typed serde structs that accept every form and go to `model::Span`
//! in one pass, without a JSON tree: a million-span trace decodes at hundreds of MB/s.

use super::decoded_traces::{Resource, SharedEmpty, SpanCollector, convert_while_reading};
use super::json_scalars::{
    FlexF64, FlexI64, FlexU64, JsonStr, SpanKindNumber, StatusCodeNumber, TextId, Visiting,
    null_as_default,
};
use crate::model::{AttrValue, Span, SpanEvent, SpanId, SpanLink, SpanStatus, TraceId};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// OTLP's documented service name for a resource without `service.name`.
const UNKNOWN_SERVICE: &str = "unknown_service";

/// `TracesData` / `ExportTraceServiceRequest` in JSON (Tempo's v1 API calls the list
/// `batches`), its spans already in the model: each span is converted as soon as it is read,
/// with its strings borrowed from the input, and a large span array is read on one thread
/// while another converts (`convert_while_reading`). Resources and scopes are applied when the
/// document ends, so their place among the keys does not matter.
#[derive(Default)]
pub(crate) struct OtlpTracesJson(pub SpanCollector);

impl<'de> Deserialize<'de> for OtlpTracesJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OtlpTracesJson;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an OTLP TracesData object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OtlpTracesJson, A::Error> {
                let mut reader = OtlpReader::default();
                while let Some(key) = map.next_key::<JsonStr>()? {
                    match key.as_str() {
                        "resourceSpans" | "batches" => {
                            map.next_value_seed(Visiting(ResourceSpansList(&mut reader)))?
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(OtlpTracesJson(reader.finish()))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// The `resourceSpans` array alone (a trace file's top level may hold it), read like
/// [`OtlpTracesJson`].
#[derive(Default)]
pub(crate) struct ResourceSpansJson(pub SpanCollector);

impl<'de> Deserialize<'de> for ResourceSpansJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut reader = OtlpReader::default();
        deserializer.deserialize_any(ResourceSpansList(&mut reader))?;
        Ok(ResourceSpansJson(reader.finish()))
    }
}

/// Spans as they are read, with the resource and scope each came under.
#[derive(Default)]
struct OtlpReader {
    spans: SpanCollector,
    /// Per collected span, its scope group (an index into `groups`).
    group_of: Vec<u32>,
    /// Per `scopeSpans` object: its resource (an index into `resources`) and scope name.
    groups: Vec<(u32, Arc<str>)>,
    /// Per `resourceSpans` object; `None` until (unless) its `resource` is read.
    resources: Vec<Option<Resource>>,
    /// Stand-ins for resource and scope until `finish`.
    empty: SharedEmpty,
}

impl OtlpReader {
    fn add_all(&mut self, spans: Vec<SpanJson<'_>>, group: u32) {
        for span in spans {
            if let Some((trace_id, span)) = convert_span(span, &mut self.spans, &self.empty) {
                self.spans.push(trace_id, span);
                self.group_of.push(group);
            }
        }
    }

    /// The spans with their resource's service and attributes and their scope's name.
    fn finish(mut self) -> SpanCollector {
        let unknown: Resource = (UNKNOWN_SERVICE.to_owned(), Arc::from([]));
        for (span, &group) in self.spans.spans_mut().iter_mut().zip(&self.group_of) {
            let (resource, scope) = &self.groups[group as usize];
            let (service, attributes) = self.resources[*resource as usize]
                .as_ref()
                .unwrap_or(&unknown);
            span.service.clone_from(service);
            span.resource = Arc::clone(attributes);
            span.scope = Arc::clone(scope);
        }
        self.spans
    }
}

/// A `resourceSpans` array into an [`OtlpReader`]; `null` is none.
struct ResourceSpansList<'r>(&'r mut OtlpReader);

impl<'de> Visitor<'de> for ResourceSpansList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of OTLP ResourceSpans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Visiting(ResourceSpansObject(&mut *self.0)))?
            .is_some()
        {}
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One `{"resource", "scopeSpans"}` object.
struct ResourceSpansObject<'r>(&'r mut OtlpReader);

impl<'de> Visitor<'de> for ResourceSpansObject<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP ResourceSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reader = self.0;
        let index = reader.resources.len() as u32;
        reader.resources.push(None);
        while let Some(key) = map.next_key::<JsonStr>()? {
            match key.as_str() {
                "resource" => {
                    let resource: Option<ResourceJson> = map.next_value()?;
                    let attributes = resource.unwrap_or_default().attributes.0;
                    let service = service_of(&attributes);
                    reader.resources[index as usize] = Some((service, Arc::from(attributes)));
                }
                "scopeSpans" | "instrumentationLibrarySpans" => {
                    map.next_value_seed(Visiting(ScopeSpansList(&mut *reader, index)))?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A `scopeSpans` array under resource `.1`.
struct ScopeSpansList<'r>(&'r mut OtlpReader, u32);

impl<'de> Visitor<'de> for ScopeSpansList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of OTLP ScopeSpans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (reader, resource) = (self.0, self.1);
        while seq
            .next_element_seed(Visiting(ScopeSpansObject(&mut *reader, resource)))?
            .is_some()
        {}
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One `{"scope", "spans"}` object under resource `.1`.
struct ScopeSpansObject<'r>(&'r mut OtlpReader, u32);

impl<'de> Visitor<'de> for ScopeSpansObject<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP ScopeSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reader = self.0;
        let group = reader.groups.len() as u32;
        reader.groups.push((self.1, Arc::from("")));
        while let Some(key) = map.next_key::<JsonStr>()? {
            match key.as_str() {
                "scope" | "instrumentationLibrary" => {
                    let scope: Option<ScopeJson> = map.next_value()?;
                    reader.groups[group as usize].1 = Arc::from(scope.unwrap_or_default().name);
                }
                "spans" => map.next_value_seed(Visiting(SpanList(&mut *reader, group)))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A `spans` array in scope group `.1`, converted while it is read.
struct SpanList<'r>(&'r mut OtlpReader, u32);

impl<'de> Visitor<'de> for SpanList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of OTLP spans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let (reader, group) = (self.0, self.1);
        convert_while_reading(seq, "otlp-spans", |batch: Vec<SpanJson<'de>>| {
            reader.add_all(batch, group)
        })
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[derive(Debug, Default, Deserialize)]
struct ResourceJson {
    #[serde(default, deserialize_with = "null_as_default")]
    attributes: Attributes,
}

#[derive(Debug, Default, Deserialize)]
struct ScopeJson {
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
}

/// One span as written, its strings borrowed from the input where possible.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpanJson<'a> {
    #[serde(default)]
    trace_id: TextId<TraceId>,
    #[serde(default)]
    span_id: TextId<SpanId>,
    #[serde(default)]
    parent_span_id: TextId<SpanId>,
    #[serde(default, borrow)]
    name: JsonStr<'a>,
    #[serde(default)]
    kind: SpanKindNumber,
    #[serde(default)]
    start_time_unix_nano: FlexU64,
    #[serde(default)]
    end_time_unix_nano: FlexU64,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    attributes: Vec<KeyValueJson<'a>>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    events: Vec<EventJson<'a>>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    links: Vec<LinkJson<'a>>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    status: StatusJson<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventJson<'a> {
    #[serde(default)]
    time_unix_nano: FlexU64,
    #[serde(default, borrow)]
    name: JsonStr<'a>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    attributes: Vec<KeyValueJson<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkJson<'a> {
    #[serde(default)]
    trace_id: TextId<TraceId>,
    #[serde(default)]
    span_id: TextId<SpanId>,
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    attributes: Vec<KeyValueJson<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct StatusJson<'a> {
    #[serde(default)]
    code: StatusCodeNumber,
    #[serde(default, borrow)]
    message: JsonStr<'a>,
}

/// A list of `{"key", "value": AnyValue}` read into model pairs (resources).
#[derive(Debug, Default)]
struct Attributes(Vec<(String, AttrValue)>);

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pairs: Vec<KeyValueJson<'de>> = Deserialize::deserialize(deserializer)?;
        Ok(Self(owned_attributes(pairs)))
    }
}

fn owned_attributes(pairs: Vec<KeyValueJson<'_>>) -> Vec<(String, AttrValue)> {
    pairs
        .into_iter()
        .map(|kv| (kv.key.0.into_owned(), kv.value.into_value()))
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct KeyValueJson<'a> {
    #[serde(default, borrow)]
    key: JsonStr<'a>,
    #[serde(default, borrow)]
    value: AnyValueJson<'a>,
}

/// An OTLP `AnyValue` object: a string borrowed from the input, or any other value (arrays
/// and maps become text as the local store shows them).
#[derive(Debug)]
enum AnyValueJson<'a> {
    Str(Cow<'a, str>),
    Other(AttrValue),
}

impl Default for AnyValueJson<'_> {
    fn default() -> Self {
        Self::Str(Cow::Borrowed(""))
    }
}

impl AnyValueJson<'_> {
    fn into_value(self) -> AttrValue {
        match self {
            Self::Str(s) => AttrValue::Str(s.into_owned()),
            Self::Other(value) => value,
        }
    }

    fn text(&self) -> String {
        match self {
            Self::Str(s) => s.to_string(),
            Self::Other(value) => value.to_string(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ArrayJson<'a> {
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    values: Vec<AnyValueJson<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct KvListJson<'a> {
    #[serde(default, borrow, deserialize_with = "null_as_default")]
    values: Vec<KeyValueJson<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for AnyValueJson<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = AnyValueJson<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an OTLP AnyValue object")
            }
            fn visit_unit<E>(self) -> Result<AnyValueJson<'a>, E> {
                Ok(AnyValueJson::default())
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<AnyValueJson<'a>, A::Error> {
                let mut value = AnyValueJson::default();
                while let Some(key) = map.next_key::<JsonStr>()? {
                    value = match key.as_str() {
                        "stringValue" => AnyValueJson::Str(
                            map.next_value::<Option<JsonStr<'a>>>()?
                                .unwrap_or_default()
                                .0,
                        ),
                        "intValue" => {
                            AnyValueJson::Other(AttrValue::Int(map.next_value::<FlexI64>()?.0))
                        }
                        "doubleValue" => {
                            AnyValueJson::Other(AttrValue::Double(map.next_value::<FlexF64>()?.0))
                        }
                        "boolValue" => {
                            AnyValueJson::Other(AttrValue::Bool(map.next_value::<bool>()?))
                        }
                        "bytesValue" => {
                            let text: JsonStr = map.next_value()?;
                            AnyValueJson::Other(AttrValue::Bytes(
                                decode_base64(text.as_str()).ok_or_else(|| {
                                    de::Error::custom(format!(
                                        "bytesValue “{}” is not base64",
                                        text.as_str()
                                    ))
                                })?,
                            ))
                        }
                        "arrayValue" => {
                            let array: Option<ArrayJson> = map.next_value()?;
                            let items: Vec<String> = array
                                .unwrap_or_default()
                                .values
                                .iter()
                                .map(AnyValueJson::text)
                                .collect();
                            AnyValueJson::Other(AttrValue::Text(format!("[{}]", items.join(", "))))
                        }
                        "kvlistValue" => {
                            let list: Option<KvListJson> = map.next_value()?;
                            let items: Vec<String> = list
                                .unwrap_or_default()
                                .values
                                .iter()
                                .map(|kv| format!("{}: {}", kv.key.as_str(), kv.value.text()))
                                .collect();
                            AnyValueJson::Other(AttrValue::Text(format!(
                                "{{{}}}",
                                items.join(", ")
                            )))
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            value
                        }
                    };
                }
                Ok(value)
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// proto3 JSON writes bytes as standard or URL-safe base64, padded or not.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text.trim()).ok())
}

fn span_status(code: i32) -> SpanStatus {
    match code {
        1 => SpanStatus::Ok,
        2 => SpanStatus::Error,
        _ => SpanStatus::Unset,
    }
}

fn service_of(resource: &[(String, AttrValue)]) -> String {
    resource
        .iter()
        .find(|(k, _)| k == "service.name")
        .map_or_else(|| UNKNOWN_SERVICE.to_owned(), |(_, v)| v.to_string())
}

/// Moves the spans of decoded OTLP/JSON into `out`.
pub(crate) fn collect_json(traces: OtlpTracesJson, out: &mut SpanCollector) {
    out.append(traces.0);
}

/// A span in the model, with the trace it belongs to; `None` when its ids are unreadable
/// (counted in `out`). Service, resource and scope are filled in by [`OtlpReader::finish`].
fn convert_span(
    span: SpanJson<'_>,
    out: &mut SpanCollector,
    empty: &SharedEmpty,
) -> Option<(TraceId, Span)> {
    let (Some(trace_id), Some(span_id)) = (span.trace_id.0, span.span_id.0) else {
        out.dropped_spans += 1;
        return None;
    };
    let links = span
        .links
        .into_iter()
        .filter_map(|link| match (link.trace_id.0, link.span_id.0) {
            (Some(trace_id), Some(span_id)) => Some(SpanLink {
                trace_id,
                span_id,
                attributes: owned_attributes(link.attributes),
            }),
            _ => {
                out.dropped_links += 1;
                None
            }
        })
        .collect();
    let start_ns = span.start_time_unix_nano.0;
    Some((
        trace_id,
        Span {
            span_id,
            parent_id: span.parent_span_id.0,
            parent: None,
            service: String::new(),
            name: span.name.0.into_owned(),
            kind: span.kind.0,
            start_ns,
            end_ns: span.end_time_unix_nano.0.max(start_ns),
            status: span_status(span.status.code.0),
            status_message: span.status.message.0.into_owned(),
            attributes: owned_attributes(span.attributes),
            events: span
                .events
                .into_iter()
                .map(|e| SpanEvent {
                    time_ns: e.time_unix_nano.0,
                    name: e.name.0.into_owned(),
                    attributes: owned_attributes(e.attributes),
                })
                .collect(),
            links,
            resource: Arc::clone(&empty.resource),
            scope: Arc::clone(&empty.scope),
        },
    ))
}

/// Moves the spans of a decoded OTLP protobuf request into `out`.
pub(crate) fn collect_proto(request: ExportTraceServiceRequest, out: &mut SpanCollector) {
    for rs in request.resource_spans {
        let resource: Arc<[(String, AttrValue)]> = rs
            .resource
            .map(|r| attributes_of(r.attributes))
            .unwrap_or_default()
            .into();
        let service = service_of(&resource);
        for ss in rs.scope_spans {
            let scope: Arc<str> = Arc::from(ss.scope.map(|s| s.name).unwrap_or_default());
            for span in ss.spans {
                let (Some(trace_id), Some(span_id)) = (
                    TraceId::from_bytes(&span.trace_id),
                    SpanId::from_bytes(&span.span_id),
                ) else {
                    out.dropped_spans += 1;
                    continue;
                };
                let links = span
                    .links
                    .into_iter()
                    .filter_map(|link| {
                        match (
                            TraceId::from_bytes(&link.trace_id),
                            SpanId::from_bytes(&link.span_id),
                        ) {
                            (Some(trace_id), Some(span_id)) => Some(SpanLink {
                                trace_id,
                                span_id,
                                attributes: attributes_of(link.attributes),
                            }),
                            _ => {
                                out.dropped_links += 1;
                                None
                            }
                        }
                    })
                    .collect();
                let status = span.status.unwrap_or_default();
                out.push(
                    trace_id,
                    Span {
                        span_id,
                        parent_id: SpanId::from_bytes(&span.parent_span_id),
                        parent: None,
                        service: service.clone(),
                        name: span.name,
                        kind: span.kind,
                        start_ns: span.start_time_unix_nano,
                        end_ns: span.end_time_unix_nano.max(span.start_time_unix_nano),
                        status: span_status(status.code),
                        status_message: status.message,
                        attributes: attributes_of(span.attributes),
                        events: span
                            .events
                            .into_iter()
                            .map(|e| SpanEvent {
                                time_ns: e.time_unix_nano,
                                name: e.name,
                                attributes: attributes_of(e.attributes),
                            })
                            .collect(),
                        links,
                        resource: Arc::clone(&resource),
                        scope: Arc::clone(&scope),
                    },
                );
            }
        }
    }
}

fn attributes_of(attributes: Vec<KeyValue>) -> Vec<(String, AttrValue)> {
    attributes
        .into_iter()
        .map(|kv| (kv.key, attr_value(kv.value.and_then(|v| v.value))))
        .collect()
}

fn attr_value(value: Option<any_value::Value>) -> AttrValue {
    match value {
        Some(any_value::Value::StringValue(s)) => AttrValue::Str(s),
        Some(any_value::Value::IntValue(i)) => AttrValue::Int(i),
        Some(any_value::Value::DoubleValue(d)) => AttrValue::Double(d),
        Some(any_value::Value::BoolValue(b)) => AttrValue::Bool(b),
        Some(any_value::Value::BytesValue(b)) => AttrValue::Bytes(b),
        Some(any_value::Value::ArrayValue(a)) => {
            let items: Vec<String> = a
                .values
                .into_iter()
                .map(|v| attr_value(v.value).to_string())
                .collect();
            AttrValue::Text(format!("[{}]", items.join(", ")))
        }
        Some(any_value::Value::KvlistValue(kv)) => {
            let items: Vec<String> = kv
                .values
                .into_iter()
                .map(|e| format!("{}: {}", e.key, attr_value(e.value.and_then(|v| v.value))))
                .collect();
            AttrValue::Text(format!("{{{}}}", items.join(", ")))
        }
        // Profiling's string-table references carry no text of their own.
        Some(_) | None => AttrValue::Str(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> crate::sources::DecodedTraces {
        let traces: OtlpTracesJson = serde_json::from_str(json).expect("valid");
        let mut out = SpanCollector::default();
        collect_json(traces, &mut out);
        out.finish()
    }

    #[test]
    fn tempo_forms_and_otlp_forms_give_the_same_span() {
        let tempo = r#"{"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
            "scopeSpans":[{"scope":{"name":"lib"},"spans":[{"traceId":"vdZA+wZnGtEcgDF/o7F5nQ==","spanId":"I7jB6TkkVt4=",
            "name":"charge","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"10","endTimeUnixNano":"25",
            "attributes":[{"key":"n","value":{"intValue":"7"}},{"key":"d","value":{"doubleValue":"NaN"}},
            {"key":"a","value":{"arrayValue":{}}},{"key":"m","value":{"kvlistValue":{"values":[{"key":"x","value":{"boolValue":true}}]}}}],
            "status":{"code":"STATUS_CODE_ERROR","message":"declined"}}]}]}]}"#;
        let otlp = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
            "scopeSpans":[{"scope":{"name":"lib"},"spans":[{"traceId":"bdd640fb06671ad11c80317fa3b1799d","spanId":"23b8c1e9392456de",
            "name":"charge","kind":3,"startTimeUnixNano":10,"endTimeUnixNano":25,
            "attributes":[{"key":"n","value":{"intValue":7}},{"key":"d","value":{"doubleValue":"NaN"}},
            {"key":"a","value":{"arrayValue":{"values":null}}},{"key":"m","value":{"kvlistValue":{"values":[{"key":"x","value":{"boolValue":true}}]}}}],
            "status":{"code":2,"message":"declined"}}]}]}]}"#;
        let (a, b) = (decode(tempo), decode(otlp));
        let (sa, sb) = (&a.traces[0].spans[0], &b.traces[0].spans[0]);
        assert_eq!(sa.span_id.to_string(), "23b8c1e9392456de");
        assert_eq!(sa.kind, 3);
        assert_eq!(sa.status, SpanStatus::Error);
        assert_eq!(sa.attributes[0], ("n".into(), AttrValue::Int(7)));
        assert_eq!(sa.attributes[2].1, AttrValue::Text("[]".into()));
        assert_eq!(sa.attributes[3].1, AttrValue::Text("{x: true}".into()));
        assert_eq!(&*sa.scope, "lib");
        // NaN != NaN, so compare everything else.
        assert_eq!(
            (&sa.name, sa.start_ns, sa.end_ns, &sa.service),
            (&sb.name, sb.start_ns, sb.end_ns, &sb.service)
        );
        assert_eq!(a.traces[0].trace_id, b.traces[0].trace_id);
    }

    #[test]
    fn spans_without_readable_ids_are_counted_not_kept() {
        let decoded = decode(
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
                {"traceId":"","spanId":"23b8c1e9392456de"},
                {"traceId":"bdd640fb06671ad11c80317fa3b1799d","spanId":"not an id!"},
                {"traceId":"bdd640fb06671ad11c80317fa3b1799d","spanId":"23b8c1e9392456de",
                 "links":[{"traceId":"zz","spanId":"zz"}]}]}]}]}"#,
        );
        assert_eq!(decoded.dropped_spans, 2);
        assert_eq!(decoded.dropped_links, 1);
        assert_eq!(decoded.span_count(), 1);
        assert_eq!(decoded.traces[0].spans[0].service, UNKNOWN_SERVICE);
    }

    /// `n` spans numbered 0.., span `i` a child of span `i / 2`, with an escaped name.
    fn spans(n: usize, first: usize) -> String {
        (first..first + n)
            .map(|i| {
                let parent = if i == 0 {
                    String::new()
                } else {
                    format!(r#""parentSpanId":"{:016x}","#, i / 2 + 1)
                };
                format!(
                    r#"{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{:016x}",{parent}"name":"op \"{i}\"","startTimeUnixNano":"{}","endTimeUnixNano":"{}","attributes":[{{"key":"n","value":{{"intValue":"{i}"}}}},{{"key":"s","value":{{"stringValue":"v{i}"}}}}]}}"#,
                    i + 1,
                    1_000 + i,
                    2_000 + i
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn resources_and_scopes_apply_wherever_they_are_written_at_any_size() {
        let batch = crate::sources::decoded_traces::SPAN_BATCH;
        for n in [3, 2 * batch + 5] {
            // The first resource after its spans, the scope before; the second has no resource.
            let json = format!(
                r#"{{"resourceSpans":[{{"scopeSpans":[{{"scope":{{"name":"lib"}},"spans":[{}]}}],"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"alpha"}}}}]}}}},{{"scopeSpans":[{{"spans":[{}],"scope":{{"name":"other"}}}}]}}]}}"#,
                spans(n, 0),
                spans(2, n)
            );
            let decoded = decode(&json);
            let trace = &decoded.traces[0];
            assert_eq!(trace.spans.len(), n + 2);
            for (i, span) in trace.spans.iter().enumerate() {
                assert_eq!(span.name, format!("op \"{i}\""));
                assert_eq!(span.parent.map(|p| p as usize), (i > 0).then_some(i / 2));
                assert_eq!(
                    span.attributes,
                    vec![
                        ("n".to_owned(), AttrValue::Int(i as i64)),
                        ("s".to_owned(), AttrValue::Str(format!("v{i}")))
                    ]
                );
                let (service, scope) = if i < n {
                    ("alpha", "lib")
                } else {
                    (UNKNOWN_SERVICE, "other")
                };
                assert_eq!(
                    (span.service.as_str(), &*span.scope),
                    (service, scope),
                    "{i}"
                );
                assert_eq!(span.resource.len(), usize::from(i < n));
            }
        }
    }

    #[test]
    fn a_truncated_or_malformed_large_array_is_an_error() {
        let n = 3 * crate::sources::decoded_traces::SPAN_BATCH;
        let json = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
            spans(n, 0)
        );
        let cut = &json[..json.len() / 2];
        assert!(serde_json::from_str::<OtlpTracesJson>(cut).is_err());
        let bad = json.replacen(
            r#""startTimeUnixNano":"5000""#,
            r#""startTimeUnixNano":"later""#,
            1,
        );
        assert_ne!(bad, json);
        let error = serde_json::from_str::<OtlpTracesJson>(&bad)
            .err()
            .expect("an error");
        assert!(error.to_string().contains("later"), "{error}");
    }
}
