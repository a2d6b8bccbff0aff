//! Spans decoded from some wire format (Jaeger JSON, OTLP/JSON, OTLP protobuf), grouped into
//! traces, with counts of what could not be kept so nothing is dropped silently.

use super::error::SourceError;
use crate::model::{AttrValue, Span, Trace, TraceId};
use serde::Deserialize;
use serde::de::{Error as _, SeqAccess};
use std::collections::HashMap;
use std::sync::{Arc, mpsc};

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

/// A service's name and the resource attributes its spans share (a Jaeger process, an OTLP
/// resource).
pub(crate) type Resource = (String, Arc<[(String, AttrValue)]>);

/// Empty resource and scope shared by every span that has none: an empty `Arc` still allocates.
pub(crate) struct SharedEmpty {
    pub resource: Arc<[(String, AttrValue)]>,
    pub scope: Arc<str>,
}

impl Default for SharedEmpty {
    fn default() -> Self {
        Self {
            resource: Arc::from([]),
            scope: Arc::from(""),
        }
    }
}

/// Spans handed from the JSON reader to the converter at a time; arrays shorter than this are
/// converted on the reading thread.
pub(crate) const SPAN_BATCH: usize = 2048;

/// Reads the array `seq` in batches of `SPAN_BATCH` elements and hands each batch to
/// `convert`, in order. Above one batch, this thread reads JSON while a scoped thread named
/// `name` converts the batches already read (BENCHMARKS.md: 1.2x for Jaeger JSON, whose
/// conversion is heavier, 1.05x for OTLP/JSON). A read error stops both and is returned once
/// the converter has finished what it had; a panic in the converter is passed on.
pub(crate) fn convert_while_reading<'de, A, T, C>(
    mut seq: A,
    name: &str,
    mut convert: C,
) -> Result<(), A::Error>
where
    A: SeqAccess<'de>,
    T: Deserialize<'de> + Send,
    C: FnMut(Vec<T>) + Send,
{
    let first = read_batch(&mut seq)?;
    if first.len() < SPAN_BATCH {
        convert(first);
        return Ok(());
    }
    std::thread::scope(|scope| {
        let (batches, received) = mpsc::sync_channel::<Vec<T>>(4);
        let converter = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn_scoped(scope, move || {
                for batch in received {
                    convert(batch);
                }
            })
            .map_err(|e| A::Error::custom(format!("no thread to convert spans: {e}")))?;
        let mut result = Ok(());
        let mut batch = first;
        loop {
            let last = batch.len() < SPAN_BATCH;
            // The converter only goes away by panicking; its join below passes that on.
            if batches.send(batch).is_err() || last {
                break;
            }
            match read_batch(&mut seq) {
                Ok(next) => batch = next,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        drop(batches);
        if let Err(panic) = converter.join() {
            std::panic::resume_unwind(panic);
        }
        result
    })
}

/// Up to `SPAN_BATCH` elements; fewer only at the end of the array.
fn read_batch<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    seq: &mut A,
) -> Result<Vec<T>, A::Error> {
    let mut batch = Vec::with_capacity(SPAN_BATCH);
    while batch.len() < SPAN_BATCH {
        match seq.next_element()? {
            Some(element) => batch.push(element),
            None => break,
        }
    }
    Ok(batch)
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
