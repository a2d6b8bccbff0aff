//! Opening traces saved to a file (File → Open trace…, the CLI): the format is detected from
//! the bytes, not the file name.
//!
//! JSON is read in one typed pass whose top-level keys pick the format: `data` (Jaeger's API
//! envelope), `traceID`/`spans`/`processes` (one Jaeger trace object), `resourceSpans` or
//! `batches` (OTLP/JSON, Tempo v1), `result` (Jaeger API v3) or `trace` (Tempo v2); a top-level
//! array is a list of Jaeger spans. Anything else is tried as OTLP protobuf
//! (`ExportTraceServiceRequest` / `TracesData`). Decoding is CPU work: call it off the UI
//! thread.

use crate::sources::decoded_traces::{DecodedTraces, SpanCollector, decode_error};
use crate::sources::error::SourceError;
use crate::sources::jaeger::json_trace::{self, ErrorJson, SpanList, TraceJson, TraceObject};
use crate::sources::json_scalars::from_json_bytes;
use crate::sources::otlp_traces::{self, OtlpTracesJson, ResourceSpansJson};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::path::Path;

/// The formats a file may hold, for error messages.
pub const FORMATS_TRIED: &str = "Jaeger JSON ({\"data\": [traces]}, a trace object or a span array), \
     OTLP/JSON (resourceSpans, also wrapped as Jaeger v3 {\"result\"} or Tempo {\"trace\"}/{\"batches\"}) \
     and OTLP protobuf (ExportTraceServiceRequest / TracesData)";

/// Reads and decodes a trace file. Blocking: run it on a worker thread.
pub fn open_trace_file(path: &Path) -> Result<DecodedTraces, SourceError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SourceError::Config(format!("{name}: {e}")))?;
    open_trace_bytes(&name, &bytes)
}

/// Decodes traces from `bytes`; `name` (a path or URL) labels errors. A file holding no span
/// at all is an error too, saying which formats were tried.
pub fn open_trace_bytes(name: &str, bytes: &[u8]) -> Result<DecodedTraces, SourceError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = SpanCollector::default();
    match text.trim_ascii_start().first() {
        Some(b'{' | b'[') => {
            let file: TraceFileJson = from_json_bytes(text).map_err(|e| not_a_trace(name, &e))?;
            match file {
                TraceFileJson::Otlp(traces) => otlp_traces::collect_json(traces, &mut out),
                TraceFileJson::Jaeger(traces) => json_trace::collect_traces(traces, &mut out),
                TraceFileJson::JaegerSpans(spans) => out.append(spans),
                TraceFileJson::JaegerErrors(errors) => {
                    let message = errors
                        .iter()
                        .map(|e| format!("{} {}", e.code, e.msg))
                        .collect::<Vec<_>>()
                        .join("; ");
                    return Err(SourceError::Query {
                        url: name.to_owned(),
                        error_type: "Jaeger error response".to_owned(),
                        message,
                    });
                }
                TraceFileJson::Unknown(keys) => {
                    return Err(SourceError::Decode {
                        url: name.to_owned(),
                        message: format!(
                            "not a trace: a JSON object with keys {} matches none of {FORMATS_TRIED}",
                            keys.join(", ")
                        ),
                        line: 1,
                        column: 1,
                    });
                }
            }
        }
        _ => {
            use prost::Message as _;
            let request =
                ExportTraceServiceRequest::decode(text).map_err(|e| SourceError::Decode {
                    url: name.to_owned(),
                    message: format!(
                        "not a trace: not JSON, and not OTLP protobuf ({e}); tried {FORMATS_TRIED}"
                    ),
                    line: 0,
                    column: 0,
                })?;
            otlp_traces::collect_proto(request, &mut out);
        }
    }
    let decoded = out.finish();
    if decoded.traces.is_empty() {
        return Err(SourceError::Decode {
            url: name.to_owned(),
            message: format!(
                "not a trace: no span with a trace id and span id found ({} dropped); tried {FORMATS_TRIED}",
                decoded.dropped_spans
            ),
            line: 0,
            column: 0,
        });
    }
    Ok(decoded)
}

fn not_a_trace(name: &str, error: &serde_json::Error) -> SourceError {
    match decode_error(name, error) {
        SourceError::Decode {
            url,
            message,
            line,
            column,
        } if error.is_data() => SourceError::Decode {
            url,
            message: format!("not a trace ({message}); tried {FORMATS_TRIED}"),
            line,
            column,
        },
        other => other,
    }
}

/// What the top level of a JSON trace file turned out to be.
enum TraceFileJson {
    Otlp(OtlpTracesJson),
    Jaeger(Vec<TraceJson>),
    JaegerSpans(SpanCollector),
    JaegerErrors(Vec<ErrorJson>),
    /// An object none of the formats has, with its keys.
    Unknown(Vec<String>),
}

impl<'de> Deserialize<'de> for TraceFileJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevel)
    }
}

struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = TraceFileJson;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array holding traces")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<TraceFileJson, A::Error> {
        let mut spans = TraceObject::default();
        SpanList(&mut spans).visit_seq(seq)?;
        Ok(TraceFileJson::JaegerSpans(spans.finish()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TraceFileJson, A::Error> {
        let mut keys = Vec::new();
        let mut otlp: Option<SpanCollector> = None;
        let mut data: Option<Vec<TraceJson>> = None;
        let mut errors: Vec<ErrorJson> = Vec::new();
        let mut bare = TraceObject::default();
        let mut is_bare_trace = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resourceSpans" | "batches" => {
                    let list: ResourceSpansJson = map.next_value()?;
                    otlp.get_or_insert_default().append(list.0);
                }
                "result" | "trace" => {
                    let inner: Option<OtlpTracesJson> = map.next_value()?;
                    otlp.get_or_insert_default()
                        .append(inner.unwrap_or_default().0);
                }
                "data" => data = map.next_value()?,
                "errors" => errors = map.next_value::<Option<_>>()?.unwrap_or_default(),
                // A bare trace object: `traceID`, `spans`, `processes`.
                other => is_bare_trace |= bare.read_field(other, &mut map)?,
            }
            keys.push(key);
        }
        Ok(if let Some(spans) = otlp {
            TraceFileJson::Otlp(OtlpTracesJson(spans))
        } else if let Some(traces) = data {
            TraceFileJson::Jaeger(traces)
        } else if !errors.is_empty() {
            TraceFileJson::JaegerErrors(errors)
        } else if is_bare_trace {
            TraceFileJson::Jaeger(vec![TraceJson(bare.finish())])
        } else {
            TraceFileJson::Unknown(keys)
        })
    }
}
