//! Decoding of Loki HTTP API bodies: `streams` results go straight into a columnar
//! [`LogBatch`] while parsing (lines are copied from serde_json's buffer into the batch's one
//! text buffer, never held as a `String` per line); `matrix`/`vector` results use the
//! Prometheus decoder, whose envelope Loki shares.
//!
//! Both plain values (`[ts, line]`) and the `categorize-labels` encoding
//! (`[ts, line, {structuredMetadata, parsed}]`) are accepted, whatever the request asked for.

use crate::model::{Labels, LogBatch, QueryResult, RowFields, SpanId, TraceId};
use crate::sources::prometheus::decode::within;
use crate::sources::prometheus::{Answer, DecodeError, decode_query};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

/// What a `query` or `query_range` body held.
#[derive(Clone, Debug, PartialEq)]
pub enum LokiAnswer {
    /// A log query: lines in columns, in the order Loki sent them (stream by stream).
    Logs(LogBatch),
    /// A metric query (`matrix`, `vector` or `scalar`).
    Metric(QueryResult),
    /// `status` other than `success`, with whatever message came with it.
    Error(String),
}

/// A WebSocket tail frame: new lines and the entries Loki itself dropped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TailFrame {
    pub lines: LogBatch,
    /// `dropped_entries`: (nanosecond timestamp, stream labels) of lines Loki could not send.
    pub dropped: Vec<(u64, Labels)>,
}

/// Decodes the body of `/loki/api/v1/query_range` or `/loki/api/v1/query`.
///
/// One pass: when `resultType` comes before `result` (as Loki writes it), streams are decoded
/// while the body is parsed; otherwise the result is kept as raw JSON and decoded after.
pub fn decode_query_response(body: &[u8]) -> Result<LokiAnswer, DecodeError> {
    let mut batch = LogBatch::default();
    let mut top = Top::default();
    let mut de = serde_json::Deserializer::from_slice(body);
    TopSeed {
        batch: &mut batch,
        top: &mut top,
    }
    .deserialize(&mut de)?;
    de.end()?;
    if top.status.as_deref() != Some("success") {
        return Ok(LokiAnswer::Error(top.error.unwrap_or_else(|| {
            format!(
                "status “{}” without a message",
                top.status.unwrap_or_default()
            )
        })));
    }
    match top.result_type.as_deref() {
        None => Err(at_start("success response without data.resultType")),
        Some("streams") => {
            if let Some(raw) = top.deferred {
                let mut de = serde_json::Deserializer::from_str(raw.get());
                StreamsSeed(&mut batch)
                    .deserialize(&mut de)
                    .and_then(|()| de.end())
                    .map_err(|e| within(body, raw, e))?;
            } else if !top.streamed {
                return Err(at_start("streams response without data.result"));
            }
            batch.matched = batch.len();
            Ok(LokiAnswer::Logs(batch))
        }
        // Matrix, vector and scalar share Prometheus' shape: its decoder reads them.
        Some(_) => match decode_query(body)? {
            Answer::Success(result) => Ok(LokiAnswer::Metric(result)),
            Answer::Error { message, .. } => Ok(LokiAnswer::Error(message)),
        },
    }
}

/// What the envelope said, besides the streams decoded into the batch.
#[derive(Default)]
struct Top<'de> {
    status: Option<String>,
    error: Option<String>,
    result_type: Option<String>,
    /// `result` seen before `resultType`, decoded afterwards.
    deferred: Option<&'de RawValue>,
    streamed: bool,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum TopField {
    Status,
    Data,
    Error,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum DataField {
    ResultType,
    Result,
    #[serde(other)]
    Other,
}

struct TopSeed<'b, 'de> {
    batch: &'b mut LogBatch,
    top: &'b mut Top<'de>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Loki response object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<TopField>()? {
            match field {
                TopField::Status => self.top.status = Some(map.next_value()?),
                TopField::Error => self.top.error = map.next_value()?,
                TopField::Data => map.next_value_seed(DataSeed {
                    batch: &mut *self.batch,
                    top: &mut *self.top,
                })?,
                TopField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct DataSeed<'b, 'de> {
    batch: &'b mut LogBatch,
    top: &'b mut Top<'de>,
}

impl<'de> DeserializeSeed<'de> for DataSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a data object")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<DataField>()? {
            match field {
                DataField::ResultType => self.top.result_type = Some(map.next_value()?),
                DataField::Result if self.top.result_type.as_deref() == Some("streams") => {
                    map.next_value_seed(StreamsSeed(&mut *self.batch))?;
                    self.top.streamed = true;
                }
                DataField::Result => self.top.deferred = Some(map.next_value()?),
                DataField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Decodes one text frame of `/loki/api/v1/tail`.
pub fn decode_tail_frame(text: &str) -> Result<TailFrame, DecodeError> {
    let mut frame = TailFrame::default();
    let mut de = serde_json::Deserializer::from_str(text);
    TailSeed(&mut frame).deserialize(&mut de)?;
    de.end()?;
    frame.lines.matched = frame.lines.len();
    Ok(frame)
}

/// `{"status":"success","data":[...]}` of `labels` and `label/<name>/values`.
pub fn decode_string_list(body: &[u8]) -> Result<Vec<String>, DecodeError> {
    #[derive(Deserialize)]
    struct List {
        status: String,
        #[serde(default)]
        data: Vec<String>,
    }
    let list: List = serde_json::from_slice(body)?;
    check_status(&list.status)?;
    Ok(list.data)
}

/// `{"status":"success","data":[{label: value, ...}, ...]}` of `series`.
pub fn decode_series_list(body: &[u8]) -> Result<Vec<Labels>, DecodeError> {
    #[derive(Deserialize)]
    struct List {
        status: String,
        #[serde(default)]
        data: Vec<BTreeMap<String, String>>,
    }
    let list: List = serde_json::from_slice(body)?;
    check_status(&list.status)?;
    Ok(list
        .data
        .into_iter()
        .map(|m| Labels::new(m.into_iter().collect()))
        .collect())
}

fn check_status(status: &str) -> Result<(), DecodeError> {
    if status == "success" {
        Ok(())
    } else {
        Err(at_start(&format!("status “{status}”")))
    }
}

fn at_start(message: &str) -> DecodeError {
    DecodeError {
        message: message.to_owned(),
        line: 1,
        column: 1,
    }
}

/// Fills the trace and span id columns of `rows` from structured metadata, else from the
/// stream labels (plain responses fold structured metadata into the labels).
fn link_ids(batch: &mut LogBatch, rows: std::ops::Range<usize>) {
    for i in rows {
        let (trace, span) = {
            let from_meta = |name: &str| batch.structured_metadata.get(i, name);
            let labels = batch.stream_labels(i);
            let pick = |name: &str| from_meta(name).or_else(|| labels.and_then(|l| l.get(name)));
            (
                pick("trace_id").and_then(TraceId::parse_hex),
                pick("span_id").and_then(SpanId::parse_hex),
            )
        };
        batch.trace_id[i] = trace;
        batch.span_id[i] = span;
    }
}

/// The `result` array of a streams answer (and `streams` of a tail frame).
struct StreamsSeed<'b>(&'b mut LogBatch);

impl<'de> DeserializeSeed<'de> for StreamsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StreamsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of streams")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut key = String::new();
        while seq
            .next_element_seed(StreamSeed {
                batch: self.0,
                key: &mut key,
            })?
            .is_some()
        {}
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum StreamField {
    Stream,
    Values,
    #[serde(other)]
    Other,
}

/// One `{"stream": {...}, "values": [...]}` object, in either key order.
struct StreamSeed<'b> {
    batch: &'b mut LogBatch,
    /// Reused buffer for metadata names (serde_json's scratch is gone by the value).
    key: &'b mut String,
}

impl<'de> DeserializeSeed<'de> for StreamSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StreamSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stream object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let first = self.batch.len();
        let mut labels = None;
        while let Some(field) = map.next_key::<StreamField>()? {
            match field {
                StreamField::Stream => {
                    let m: BTreeMap<String, String> = map.next_value()?;
                    labels = Some(Labels::new(m.into_iter().collect()));
                }
                StreamField::Values => map.next_value_seed(ValuesSeed {
                    batch: &mut *self.batch,
                    key: &mut *self.key,
                })?,
                StreamField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = self.batch.streams.intern(labels.unwrap_or_default());
        let rows = first..self.batch.len();
        self.batch.set_stream_rows(rows.clone(), id);
        link_ids(self.batch, rows);
        Ok(())
    }
}

/// The `values` array of one stream.
struct ValuesSeed<'b> {
    batch: &'b mut LogBatch,
    key: &'b mut String,
}

impl<'de> DeserializeSeed<'de> for ValuesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of [timestamp, line] entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(EntrySeed {
                batch: &mut *self.batch,
                key: &mut *self.key,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// `["<ns>", "<line>"]` or `["<ns>", "<line>", {"structuredMetadata": {..}, "parsed": {..}}]`.
struct EntrySeed<'b> {
    batch: &'b mut LogBatch,
    key: &'b mut String,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a [\"<nanoseconds>\", \"<line>\"] entry")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let time_ns = seq
            .next_element_seed(NanosSeed)?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let row = self.batch.len();
        seq.next_element_seed(LineSeed {
            batch: &mut *self.batch,
            time_ns,
        })?
        .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq
            .next_element_seed(MetadataSeed {
                batch: &mut *self.batch,
                key: &mut *self.key,
                row,
            })?
            .is_some()
        {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
        }
        Ok(())
    }
}

/// A nanosecond timestamp: Loki sends a string; a plain integer is accepted too.
struct NanosSeed;

impl<'de> DeserializeSeed<'de> for NanosSeed {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for NanosSeed {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a nanosecond timestamp as a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<u64, E> {
        s.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
}

/// The line: copied from the parser's buffer into the batch's text buffer.
struct LineSeed<'b> {
    batch: &'b mut LogBatch,
    time_ns: u64,
}

impl<'de> DeserializeSeed<'de> for LineSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for LineSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a log line string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        // The stream id is set once the stream's labels are known.
        self.batch.push_stream_row(self.time_ns, 0, s);
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum MetadataField {
    StructuredMetadata,
    Parsed,
    #[serde(other)]
    Other,
}

/// The third element of a categorized entry.
struct MetadataSeed<'b> {
    batch: &'b mut LogBatch,
    key: &'b mut String,
    row: usize,
}

impl<'de> DeserializeSeed<'de> for MetadataSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MetadataSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with structuredMetadata and parsed")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<MetadataField>()? {
            let fields = match field {
                MetadataField::StructuredMetadata => &mut self.batch.structured_metadata,
                MetadataField::Parsed => &mut self.batch.parsed,
                MetadataField::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let pushed = map.next_value_seed(PairsSeed {
                fields: &mut *fields,
                key: &mut *self.key,
            })?;
            if pushed > 0 {
                fields.end_row(self.row);
            }
        }
        Ok(())
    }
}

/// A `{name: value}` object pushed as pairs of the current row; returns how many.
struct PairsSeed<'b> {
    fields: &'b mut RowFields,
    key: &'b mut String,
}

impl<'de> DeserializeSeed<'de> for PairsSeed<'_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PairsSeed<'_> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string values")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let mut n = 0;
        while map.next_key_seed(KeySeed(&mut *self.key))?.is_some() {
            map.next_value_seed(ValueSeed {
                fields: &mut *self.fields,
                name: self.key.as_str(),
            })?;
            n += 1;
        }
        Ok(n)
    }
}

/// Copies a key into a reused buffer.
struct KeySeed<'b>(&'b mut String);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a name")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.0.clear();
        self.0.push_str(s);
        Ok(())
    }
}

struct ValueSeed<'b> {
    fields: &'b mut RowFields,
    name: &'b str,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for ValueSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string value")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.fields.push_pair(self.name, s);
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum TailField {
    Streams,
    DroppedEntries,
    #[serde(other)]
    Other,
}

struct TailSeed<'b>(&'b mut TailFrame);

impl<'de> DeserializeSeed<'de> for TailSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TailSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tail frame object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        #[derive(Deserialize)]
        struct Dropped {
            #[serde(deserialize_with = "nanos")]
            timestamp: u64,
            #[serde(default)]
            labels: BTreeMap<String, String>,
        }
        fn nanos<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
            NanosSeed.deserialize(d)
        }
        while let Some(field) = map.next_key::<TailField>()? {
            match field {
                TailField::Streams => map.next_value_seed(StreamsSeed(&mut self.0.lines))?,
                TailField::DroppedEntries => {
                    let dropped: Option<Vec<Dropped>> = map.next_value()?;
                    self.0.dropped.extend(
                        dropped
                            .unwrap_or_default()
                            .into_iter()
                            .map(|d| (d.timestamp, Labels::new(d.labels.into_iter().collect()))),
                    );
                }
                TailField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logs(body: &str) -> LogBatch {
        match decode_query_response(body.as_bytes()) {
            Ok(LokiAnswer::Logs(b)) => b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_streams_become_rows_with_stream_labels() {
        let b = logs(
            r#"{"status":"success","data":{"resultType":"streams","result":[
            {"stream":{"app":"a","trace_id":"bdd640fb06671ad11c80317fa3b1799d"},"values":[["2","two"],["1","one \u003c"]]},
            {"values":[["3","three"]],"stream":{"app":"b"}}]}}"#,
        );
        assert_eq!(b.len(), 3);
        assert_eq!(b.time_ns, [2, 1, 3]);
        assert_eq!(b.body(1), "one <");
        assert_eq!(
            b.service_name(2),
            "b",
            "service falls back to the app label"
        );
        assert_eq!(b.stream_labels(2).and_then(|l| l.get("app")), Some("b"));
        assert_eq!(b.stream_labels(0).and_then(|l| l.get("app")), Some("a"));
        assert_eq!(
            b.trace_id[1].map(|t| t.to_string()).as_deref(),
            Some("bdd640fb06671ad11c80317fa3b1799d")
        );
        assert_eq!(b.trace_id[2], None);
        assert_eq!(b.streams.len(), 2);
    }

    #[test]
    fn categorized_entries_keep_metadata_and_parsed_labels_per_row() {
        let b = logs(
            r#"{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[
            {"stream":{"app":"a"},"values":[
              ["5","x",{}],
              ["4","y",{"structuredMetadata":{"span_id":"9a1de644815ef6d1"},"parsed":{"level":"warn"}}]]}]}}"#,
        );
        assert_eq!(b.structured_metadata.row(0).count(), 0);
        assert_eq!(
            b.structured_metadata.get(1, "span_id"),
            Some("9a1de644815ef6d1")
        );
        assert_eq!(b.parsed.get(1, "level"), Some("warn"));
        assert_eq!(
            b.span_id[1].map(|s| s.to_string()).as_deref(),
            Some("9a1de644815ef6d1")
        );
    }

    #[test]
    fn result_before_result_type_is_decoded_too() {
        let body = "{\"data\":{\"result\":[{\"stream\":{\"a\":\"1\"},\"values\":[[\"7\",\"x\"]]}],\"resultType\":\"streams\"},\"status\":\"success\"}";
        let b = logs(body);
        assert_eq!(b.time_ns, [7]);
        assert_eq!(b.stream_labels(0).and_then(|l| l.get("a")), Some("1"));
        let bad = "{\"data\":{\"result\":[{\"values\":[[\"7\"]]}],\n\"resultType\":\"streams\"},\"status\":\"success\"}";
        let err = decode_query_response(bad.as_bytes()).unwrap_err();
        assert_eq!((err.line, err.column), (1, 35), "{err:?}");
    }

    #[test]
    fn truncated_streams_body_is_a_positioned_error() {
        let body = "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\n\"result\":[{\"stream\":{},\"values\":[[\"1\",\"a\"],[\"2\"";
        let err = decode_query_response(body.as_bytes()).unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        assert!(err.column > 1);
    }

    #[test]
    fn bad_timestamp_is_an_error_not_a_zero() {
        let body = r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["soon","a"]]}]}}"#;
        let err = decode_query_response(body.as_bytes()).unwrap_err();
        assert!(err.message.contains("soon"), "{err:?}");
    }
}
