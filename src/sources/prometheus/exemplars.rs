//! Exemplars (`/api/v1/query_exemplars`): sample points that carry a trace id, drawn on charts
//! and followed to their trace.

use super::decode::parse_sample_value;
use super::envelope::{Reply, interpret_data};
use super::fmt_num;
use crate::fetch::Progress;
use crate::model::{Labels, TraceId};
use crate::sources::{HttpClient, SourceError};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The exemplars of one series.
#[derive(Clone, Debug, PartialEq)]
pub struct ExemplarSeries {
    /// The series the exemplars belong to (for histograms, one `_bucket` series per `le`).
    pub labels: Labels,
    pub exemplars: Vec<Exemplar>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exemplar {
    /// The exemplar's own labels, usually `trace_id` and `span_id`.
    pub labels: Labels,
    pub value: f64,
    /// Unix seconds.
    pub timestamp: f64,
}

impl Exemplar {
    /// The trace this exemplar points to: `trace_id`, or `traceID` as some SDKs write it.
    pub fn trace_id_text(&self) -> Option<&str> {
        self.labels
            .get("trace_id")
            .or_else(|| self.labels.get("traceID"))
            .or_else(|| self.labels.get("traceId"))
    }

    /// [`Self::trace_id_text`] as a 16-byte id, when it is valid hex.
    pub fn trace_id(&self) -> Option<TraceId> {
        self.trace_id_text().and_then(TraceId::parse_hex)
    }
}

#[derive(Deserialize)]
struct WireSeries {
    #[serde(rename = "seriesLabels", default)]
    series_labels: BTreeMap<String, String>,
    #[serde(default)]
    exemplars: Vec<WireExemplar>,
}

#[derive(Deserialize)]
struct WireExemplar {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    value: WireValue,
    timestamp: f64,
}

/// Prometheus sends the value as a string (`"0.08"`, `"NaN"`); accept a number too.
#[derive(Deserialize)]
#[serde(untagged)]
enum WireValue {
    Text(String),
    Number(f64),
}

/// Exemplars of the series selected by `query` within `[start, end]` (Unix seconds).
/// Exemplars whose value is not a number are dropped and counted in a warning.
pub async fn query_exemplars(
    http: &HttpClient,
    query: &str,
    start: f64,
    end: f64,
    progress: &Progress,
) -> Result<Reply<Vec<ExemplarSeries>>, SourceError> {
    let (start, end) = (fmt_num(start), fmt_num(end));
    let params = [
        ("query", query),
        ("start", start.as_str()),
        ("end", end.as_str()),
    ];
    let response = http
        .get("/api/v1/query_exemplars", &params, progress)
        .await?;
    let reply: Reply<Vec<WireSeries>> = interpret_data(response)?;
    let mut dropped = 0usize;
    let mut reply = reply.map(|wire| {
        wire.into_iter()
            .map(|s| ExemplarSeries {
                labels: Labels::new(s.series_labels.into_iter().collect()),
                exemplars: s
                    .exemplars
                    .into_iter()
                    .filter_map(|e| {
                        let value = match e.value {
                            WireValue::Text(text) => parse_sample_value(&text),
                            WireValue::Number(v) => Some(v),
                        };
                        if value.is_none() {
                            dropped += 1;
                        }
                        Some(Exemplar {
                            labels: Labels::new(e.labels.into_iter().collect()),
                            value: value?,
                            timestamp: e.timestamp,
                        })
                    })
                    .collect(),
            })
            .collect()
    });
    if dropped > 0 {
        reply.warnings.push(format!(
            "{dropped} exemplars without a numeric value were left out"
        ));
    }
    Ok(reply)
}
