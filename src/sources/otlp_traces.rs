//! OTLP traces into the model, from OTLP/JSON as servers really write it and from OTLP
//! protobuf (`ExportTraceServiceRequest`, which has the wire format of `TracesData`).
//!
//! The receiver's decoder (`crate::otlp::json`) goes to the `opentelemetry-proto` types, which
//! take only hex ids and integer enums; Tempo writes base64 ids and enum names
//! (`"SPAN_KIND_SERVER"`, `"STATUS_CODE_ERROR"`), and Jaeger v3 and trace files mix both. So
//! this decoder reads typed serde structs that accept every form and go to `model::Span`
//! in one pass, without a JSON tree: a million-span trace decodes at hundreds of MB/s.

use super::decoded_traces::SpanCollector;
use super::json_scalars::{
    FlexF64, FlexI64, FlexU64, SpanKindNumber, StatusCodeNumber, TextId, null_as_default,
};
use crate::model::{AttrValue, Span, SpanEvent, SpanId, SpanLink, SpanStatus, TraceId};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::sync::Arc;

/// OTLP's documented service name for a resource without `service.name`.
const UNKNOWN_SERVICE: &str = "unknown_service";

/// `TracesData` / `ExportTraceServiceRequest` in JSON; Tempo's v1 API calls the list `batches`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OtlpTracesJson {
    #[serde(default, alias = "batches", deserialize_with = "null_as_default")]
    pub resource_spans: Vec<ResourceSpansJson>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceSpansJson {
    #[serde(default, deserialize_with = "null_as_default")]
    resource: ResourceJson,
    #[serde(
        default,
        alias = "instrumentationLibrarySpans",
        deserialize_with = "null_as_default"
    )]
    scope_spans: Vec<ScopeSpansJson>,
}

#[derive(Debug, Default, Deserialize)]
struct ResourceJson {
    #[serde(default, deserialize_with = "null_as_default")]
    attributes: Attributes,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeSpansJson {
    #[serde(
        default,
        alias = "instrumentationLibrary",
        deserialize_with = "null_as_default"
    )]
    scope: ScopeJson,
    #[serde(default, deserialize_with = "null_as_default")]
    spans: Vec<SpanJson>,
}

#[derive(Debug, Default, Deserialize)]
struct ScopeJson {
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpanJson {
    #[serde(default)]
    trace_id: TextId<TraceId>,
    #[serde(default)]
    span_id: TextId<SpanId>,
    #[serde(default)]
    parent_span_id: TextId<SpanId>,
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default)]
    kind: SpanKindNumber,
    #[serde(default)]
    start_time_unix_nano: FlexU64,
    #[serde(default)]
    end_time_unix_nano: FlexU64,
    #[serde(default, deserialize_with = "null_as_default")]
    attributes: Attributes,
    #[serde(default, deserialize_with = "null_as_default")]
    events: Vec<EventJson>,
    #[serde(default, deserialize_with = "null_as_default")]
    links: Vec<LinkJson>,
    #[serde(default, deserialize_with = "null_as_default")]
    status: StatusJson,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventJson {
    #[serde(default)]
    time_unix_nano: FlexU64,
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    attributes: Attributes,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkJson {
    #[serde(default)]
    trace_id: TextId<TraceId>,
    #[serde(default)]
    span_id: TextId<SpanId>,
    #[serde(default, deserialize_with = "null_as_default")]
    attributes: Attributes,
}

#[derive(Debug, Default, Deserialize)]
struct StatusJson {
    #[serde(default)]
    code: StatusCodeNumber,
    #[serde(default, deserialize_with = "null_as_default")]
    message: String,
}

/// A list of `{"key", "value": AnyValue}` read straight into model pairs.
#[derive(Debug, Default)]
struct Attributes(Vec<(String, AttrValue)>);

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pairs: Vec<KeyValueJson> = Deserialize::deserialize(deserializer)?;
        Ok(Self(
            pairs.into_iter().map(|kv| (kv.key, kv.value.0)).collect(),
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
struct KeyValueJson {
    #[serde(default, deserialize_with = "null_as_default")]
    key: String,
    #[serde(default)]
    value: AnyValueJson,
}

/// An OTLP `AnyValue` object; arrays and maps become text as the local store shows them.
#[derive(Debug)]
struct AnyValueJson(AttrValue);

impl Default for AnyValueJson {
    fn default() -> Self {
        Self(AttrValue::Str(String::new()))
    }
}

#[derive(Debug, Default, Deserialize)]
struct ArrayJson {
    #[serde(default, deserialize_with = "null_as_default")]
    values: Vec<AnyValueJson>,
}

#[derive(Debug, Default, Deserialize)]
struct KvListJson {
    #[serde(default, deserialize_with = "null_as_default")]
    values: Vec<KeyValueJson>,
}

impl<'de> Deserialize<'de> for AnyValueJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyValueJson;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an OTLP AnyValue object")
            }
            fn visit_unit<E>(self) -> Result<AnyValueJson, E> {
                Ok(AnyValueJson::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValueJson, A::Error> {
                let mut value = AttrValue::Str(String::new());
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    value = match key.as_ref() {
                        "stringValue" => {
                            AttrValue::Str(map.next_value::<Option<String>>()?.unwrap_or_default())
                        }
                        "intValue" => AttrValue::Int(map.next_value::<FlexI64>()?.0),
                        "doubleValue" => AttrValue::Double(map.next_value::<FlexF64>()?.0),
                        "boolValue" => AttrValue::Bool(map.next_value::<bool>()?),
                        "bytesValue" => {
                            let text: String = map.next_value()?;
                            AttrValue::Bytes(decode_base64(&text).ok_or_else(|| {
                                de::Error::custom(format!("bytesValue “{text}” is not base64"))
                            })?)
                        }
                        "arrayValue" => {
                            let array: Option<ArrayJson> = map.next_value()?;
                            let items: Vec<String> = array
                                .unwrap_or_default()
                                .values
                                .iter()
                                .map(|v| v.0.to_string())
                                .collect();
                            AttrValue::Text(format!("[{}]", items.join(", ")))
                        }
                        "kvlistValue" => {
                            let list: Option<KvListJson> = map.next_value()?;
                            let items: Vec<String> = list
                                .unwrap_or_default()
                                .values
                                .iter()
                                .map(|kv| format!("{}: {}", kv.key, kv.value.0))
                                .collect();
                            AttrValue::Text(format!("{{{}}}", items.join(", ")))
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            value
                        }
                    };
                }
                Ok(AnyValueJson(value))
            }
        }
        deserializer.deserialize_any(V)
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
    out.reserve(
        traces
            .resource_spans
            .iter()
            .flat_map(|rs| &rs.scope_spans)
            .map(|ss| ss.spans.len())
            .sum(),
    );
    for rs in traces.resource_spans {
        let resource: Arc<[(String, AttrValue)]> = Arc::from(rs.resource.attributes.0);
        let service = service_of(&resource);
        for ss in rs.scope_spans {
            let scope: Arc<str> = Arc::from(ss.scope.name);
            for span in ss.spans {
                let (Some(trace_id), Some(span_id)) = (span.trace_id.0, span.span_id.0) else {
                    out.dropped_spans += 1;
                    continue;
                };
                let links = span
                    .links
                    .into_iter()
                    .filter_map(|link| match (link.trace_id.0, link.span_id.0) {
                        (Some(trace_id), Some(span_id)) => Some(SpanLink {
                            trace_id,
                            span_id,
                            attributes: link.attributes.0,
                        }),
                        _ => {
                            out.dropped_links += 1;
                            None
                        }
                    })
                    .collect();
                let start_ns = span.start_time_unix_nano.0;
                out.push(
                    trace_id,
                    Span {
                        span_id,
                        parent_id: span.parent_span_id.0,
                        parent: None,
                        service: service.clone(),
                        name: span.name,
                        kind: span.kind.0,
                        start_ns,
                        end_ns: span.end_time_unix_nano.0.max(start_ns),
                        status: span_status(span.status.code.0),
                        status_message: span.status.message,
                        attributes: span.attributes.0,
                        events: span
                            .events
                            .into_iter()
                            .map(|e| SpanEvent {
                                time_ns: e.time_unix_nano.0,
                                name: e.name,
                                attributes: e.attributes.0,
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
}
