//! Tempo's search answers: TraceQL results (`/api/search`) and tag names and values
//! (`/api/v2/search/tags`, `/api/v2/search/tag/<tag>/values` and their v1 forms).

use crate::model::{AttrValue, SpanId, TraceId, TraceSummary};
use crate::sources::json_scalars::{FlexU64, TextId, null_as_default};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What Tempo writes as the root service of a trace whose root span has not arrived.
pub const ROOT_NOT_YET_RECEIVED: &str = "<root span not yet received>";

/// One trace of a TraceQL search.
#[derive(Clone, Debug, PartialEq)]
pub struct TempoTraceHit {
    /// `span_count` and `error_count` add up Tempo's `serviceStats`.
    pub summary: TraceSummary,
    /// False when Tempo has not received the root span (`root_service`/`root_name` are empty).
    pub root_received: bool,
    /// The spans the query matched, per span set.
    pub span_sets: Vec<SpanSet>,
}

impl TempoTraceHit {
    /// Spans matched over all span sets (more than the spans listed when `spss` cut them).
    pub fn matched_spans(&self) -> u32 {
        self.span_sets.iter().map(|s| s.matched).sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpanSet {
    pub matched: u32,
    pub spans: Vec<MatchedSpan>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchedSpan {
    pub span_id: Option<SpanId>,
    pub name: String,
    pub start_ns: u64,
    pub duration_ns: u64,
    pub attributes: Vec<(String, AttrValue)>,
}

/// The traces a search found, and how much Tempo read to find them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TempoSearchResult {
    pub traces: Vec<TempoTraceHit>,
    pub inspected_traces: u64,
    pub inspected_bytes: u64,
    /// Results whose trace id Tempo sent unreadable (counted, not shown).
    pub dropped: u64,
}

/// Tag names of one scope (`resource`, `span`, `event`, `link`, `intrinsic`; empty for v1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagScope {
    pub name: String,
    pub tags: Vec<String>,
}

/// A tag value with its TraceQL type (`string`, `int`, …; empty for v1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagValue {
    pub kind: String,
    pub value: String,
}

#[derive(Deserialize)]
pub(super) struct SearchJson {
    #[serde(default, deserialize_with = "null_as_default")]
    traces: Vec<TraceHitJson>,
    #[serde(default, deserialize_with = "null_as_default")]
    metrics: MetricsJson,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetricsJson {
    #[serde(default)]
    inspected_traces: FlexU64,
    #[serde(default)]
    inspected_bytes: FlexU64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TraceHitJson {
    #[serde(rename = "traceID")]
    trace_id: TextId<TraceId>,
    #[serde(default, deserialize_with = "null_as_default")]
    root_service_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    root_trace_name: String,
    #[serde(default)]
    start_time_unix_nano: FlexU64,
    #[serde(default)]
    duration_ms: FlexU64,
    /// Deprecated copy of the first span set; used when `spanSets` is absent.
    #[serde(default)]
    span_set: Option<SpanSetJson>,
    #[serde(default)]
    span_sets: Option<Vec<SpanSetJson>>,
    #[serde(default, deserialize_with = "null_as_default")]
    service_stats: BTreeMap<String, ServiceStatsJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpanSetJson {
    #[serde(default, deserialize_with = "null_as_default")]
    spans: Vec<MatchedSpanJson>,
    #[serde(default)]
    matched: FlexU64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MatchedSpanJson {
    #[serde(rename = "spanID", default)]
    span_id: TextId<SpanId>,
    #[serde(default, deserialize_with = "null_as_default")]
    name: String,
    #[serde(default)]
    start_time_unix_nano: FlexU64,
    #[serde(default)]
    duration_nanos: FlexU64,
    #[serde(default, deserialize_with = "null_as_default")]
    attributes: Vec<AttributeJson>,
}

/// Search results carry plain OTLP/JSON attributes; typed values are read as text here.
#[derive(Deserialize)]
struct AttributeJson {
    key: String,
    #[serde(default)]
    value: BTreeMap<String, ScalarJson>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ScalarJson {
    Bool(bool),
    Int(i64),
    Double(f64),
    Text(String),
    Other(serde::de::IgnoredAny),
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceStatsJson {
    #[serde(default)]
    span_count: FlexU64,
    #[serde(default)]
    error_count: FlexU64,
}

fn attr_value(kind: &str, value: ScalarJson) -> AttrValue {
    match (kind, value) {
        (_, ScalarJson::Bool(b)) => AttrValue::Bool(b),
        ("intValue", ScalarJson::Text(s)) => s.parse().map_or(AttrValue::Str(s), AttrValue::Int),
        (_, ScalarJson::Int(i)) => AttrValue::Int(i),
        (_, ScalarJson::Double(d)) => AttrValue::Double(d),
        (_, ScalarJson::Text(s)) => AttrValue::Str(s),
        (_, ScalarJson::Other(_)) => AttrValue::Text(String::new()),
    }
}

impl SearchJson {
    pub(super) fn into_result(self) -> TempoSearchResult {
        let mut result = TempoSearchResult {
            inspected_traces: self.metrics.inspected_traces.0,
            inspected_bytes: self.metrics.inspected_bytes.0,
            ..TempoSearchResult::default()
        };
        for hit in self.traces {
            let Some(trace_id) = hit.trace_id.0 else {
                result.dropped += 1;
                continue;
            };
            let root_received = hit.root_service_name != ROOT_NOT_YET_RECEIVED;
            let span_sets = hit
                .span_sets
                .or_else(|| hit.span_set.map(|s| vec![s]))
                .unwrap_or_default()
                .into_iter()
                .map(|set| SpanSet {
                    matched: u32::try_from(set.matched.0).unwrap_or(u32::MAX),
                    spans: set
                        .spans
                        .into_iter()
                        .map(|s| MatchedSpan {
                            span_id: s.span_id.0,
                            name: s.name,
                            start_ns: s.start_time_unix_nano.0,
                            duration_ns: s.duration_nanos.0,
                            attributes: s
                                .attributes
                                .into_iter()
                                .filter_map(|a| {
                                    let (kind, value) = a.value.into_iter().next()?;
                                    Some((a.key, attr_value(&kind, value)))
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect();
            let stats = hit.service_stats.values();
            let (spans, errors) = stats.fold((0u64, 0u64), |(s, e), st| {
                (s + st.span_count.0, e + st.error_count.0)
            });
            result.traces.push(TempoTraceHit {
                summary: TraceSummary {
                    trace_id,
                    root_service: if root_received {
                        hit.root_service_name
                    } else {
                        String::new()
                    },
                    root_name: hit.root_trace_name,
                    start_ns: hit.start_time_unix_nano.0,
                    duration_ns: hit.duration_ms.0.saturating_mul(1_000_000),
                    span_count: u32::try_from(spans).unwrap_or(u32::MAX),
                    error_count: u32::try_from(errors).unwrap_or(u32::MAX),
                },
                root_received,
                span_sets,
            });
        }
        result
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TagsV1Json {
    #[serde(default, deserialize_with = "null_as_default")]
    pub tag_names: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct TagsV2Json {
    #[serde(default, deserialize_with = "null_as_default")]
    pub scopes: Vec<ScopeJson>,
}

#[derive(Deserialize)]
pub(super) struct ScopeJson {
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TagValuesV1Json {
    #[serde(default, deserialize_with = "null_as_default")]
    pub tag_values: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TagValuesV2Json {
    #[serde(default, deserialize_with = "null_as_default")]
    pub tag_values: Vec<TypedValueJson>,
}

#[derive(Deserialize)]
pub(super) struct TypedValueJson {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub value: String,
}
