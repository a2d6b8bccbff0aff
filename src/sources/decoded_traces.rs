//! Spans decoded from some wire format (Jaeger JSON, OTLP/JSON, OTLP protobuf), grouped into
//! traces, with counts of what could not be kept so nothing is dropped silently.

use super::error::SourceError;
use crate::model::{Span, Trace, TraceId};
use std::collections::HashMap;

/// Traces read from one response or file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecodedTraces {
    /// Ordered by their first span's start.
    pub traces: Vec<Trace>,
    /// Spans left out because their trace or span id was missing or unreadable.
    pub dropped_spans: u64,
    /// Links left out because their ids were unreadable.
    pub dropped_links: u64,
    /// What was changed to open the data (e.g. non-hex ids replaced by stable hashes).
    pub notes: Vec<String>,
}

impl DecodedTraces {
    pub fn span_count(&self) -> usize {
        self.traces.iter().map(|t| t.spans.len()).sum()
    }
}

/// Gathers spans as a decoder produces them; `finish` groups them into traces.
#[derive(Default)]
pub(crate) struct SpanCollector {
    trace_ids: Vec<TraceId>,
    spans: Vec<Span>,
    pub dropped_spans: u64,
    pub dropped_links: u64,
    pub rehashed_ids: u64,
}

impl SpanCollector {
    pub fn push(&mut self, trace_id: TraceId, span: Span) {
        self.trace_ids.push(trace_id);
        self.spans.push(span);
    }

    pub fn reserve(&mut self, additional: usize) {
        self.trace_ids.reserve(additional);
        self.spans.reserve(additional);
    }

    /// The spans gathered so far, in the order they were pushed.
    pub fn spans_mut(&mut self) -> &mut [Span] {
        &mut self.spans
    }

    /// Moves `other`'s spans and counts after this one's.
    pub fn append(&mut self, other: SpanCollector) {
        if self.spans.is_empty() {
            // One trace object per file is the usual case: take its vectors, copy nothing.
            self.trace_ids = other.trace_ids;
            self.spans = other.spans;
        } else {
            self.trace_ids.extend(other.trace_ids);
            self.spans.extend(other.spans);
        }
        self.dropped_spans += other.dropped_spans;
        self.dropped_links += other.dropped_links;
        self.rehashed_ids += other.rehashed_ids;
    }

    pub fn finish(self) -> DecodedTraces {
        let Self {
            trace_ids,
            spans,
            dropped_spans,
            dropped_links,
            rehashed_ids,
        } = self;
        let mut notes = Vec::new();
        if rehashed_ids > 0 {
            notes.push(format!(
                "{rehashed_ids} ids were not hex and were replaced by stable hashes"
            ));
        }
        let traces = match trace_ids.first() {
            None => Vec::new(),
            // The usual case, one trace: no regrouping of a million spans.
            Some(&first) if trace_ids.iter().all(|&t| t == first) => {
                vec![Trace::from_spans(first, spans)]
            }
            Some(_) => {
                let mut order: Vec<TraceId> = Vec::new();
                let mut groups: HashMap<TraceId, Vec<Span>> = HashMap::new();
                for (trace_id, span) in trace_ids.into_iter().zip(spans) {
                    groups
                        .entry(trace_id)
                        .or_insert_with(|| {
                            order.push(trace_id);
                            Vec::new()
                        })
                        .push(span);
                }
                let mut traces: Vec<Trace> = order
                    .into_iter()
                    .filter_map(|id| groups.remove(&id).map(|s| Trace::from_spans(id, s)))
                    .collect();
                traces.sort_by_key(|t| (t.spans.first().map(|s| s.start_ns), t.trace_id));
                traces
            }
        };
        DecodedTraces {
            traces,
            dropped_spans,
            dropped_links,
            notes,
        }
    }
}

/// A serde_json error as the `Decode` error of `url`, keeping its line and column.
pub(crate) fn decode_error(url: &str, error: &serde_json::Error) -> SourceError {
    SourceError::Decode {
        url: url.to_owned(),
        message: error.to_string(),
        line: error.line(),
        column: error.column(),
    }
}

/// Runs a decoder on the blocking pool: a large trace takes a second to decode and must not
/// stall the async workers that keep other requests moving.
pub(crate) async fn off_the_runtime<T: Send + 'static>(
    url: &str,
    work: impl FnOnce() -> Result<T, SourceError> + Send + 'static,
) -> Result<T, SourceError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(SourceError::Decode {
            url: url.to_owned(),
            message: format!("decoder stopped: {e}"),
            line: 0,
            column: 0,
        })
    })
}
