//! Metric metadata (`/api/v1/metadata`): each metric's type, help text and unit, for the
//! metric browser and the completion popup.

use super::envelope::{Reply, interpret_data};
use crate::fetch::Progress;
use crate::sources::{HttpClient, SourceError};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The kind of a metric as its exporter declared it (the OpenMetrics type names).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Unknown,
    /// A type name this client does not know, kept as the server sent it.
    Other(String),
}

impl MetricKind {
    pub fn parse(name: &str) -> Self {
        match name {
            "counter" => Self::Counter,
            "gauge" => Self::Gauge,
            "histogram" => Self::Histogram,
            "gaugehistogram" => Self::GaugeHistogram,
            "summary" => Self::Summary,
            "info" => Self::Info,
            "stateset" => Self::StateSet,
            "unknown" | "untyped" | "" => Self::Unknown,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The name Prometheus uses.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
            Self::GaugeHistogram => "gaugehistogram",
            Self::Summary => "summary",
            Self::Info => "info",
            Self::StateSet => "stateset",
            Self::Unknown => "unknown",
            Self::Other(name) => name,
        }
    }
}

/// What is known about one metric (a family name: `http_requests`, not `http_requests_total`
/// for OpenMetrics counters, and `x` for the `x_bucket`/`x_sum`/`x_count` of a histogram).
#[derive(Clone, Debug, PartialEq)]
pub struct MetricMetadata {
    pub name: String,
    pub kind: MetricKind,
    pub help: String,
    /// Empty when the exporter declared none.
    pub unit: String,
    /// How many differing entries the server listed for this name (targets may disagree on
    /// the help text); the first is shown, the count says that others exist.
    pub variants: usize,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    unit: String,
}

/// Metadata of every metric, or only of `metric`, sorted by name. `limit` caps the number of
/// metrics the server returns.
pub async fn metadata(
    http: &HttpClient,
    metric: Option<&str>,
    limit: Option<usize>,
    progress: &Progress,
) -> Result<Reply<Vec<MetricMetadata>>, SourceError> {
    let limit = limit.map(|l| l.to_string());
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(metric) = metric {
        params.push(("metric", metric));
    }
    if let Some(limit) = &limit {
        params.push(("limit", limit));
    }
    let response = http.get("/api/v1/metadata", &params, progress).await?;
    let reply: Reply<BTreeMap<String, Vec<Entry>>> = interpret_data(response)?;
    Ok(reply.map(|by_name| {
        by_name
            .into_iter()
            .filter_map(|(name, entries)| {
                let variants = entries.len();
                let first = entries.into_iter().next()?;
                Some(MetricMetadata {
                    name,
                    kind: MetricKind::parse(&first.kind),
                    help: first.help,
                    unit: first.unit,
                    variants,
                })
            })
            .collect()
    }))
}

/// The metadata entry describing `series_name`, which may carry a suffix its family lacks
/// (`_total`, `_bucket`, `_sum`, `_count`, `_created`, `_info`). `metadata` must be sorted by name.
pub fn describe<'a>(
    metadata: &'a [MetricMetadata],
    series_name: &str,
) -> Option<&'a MetricMetadata> {
    let find = |name: &str| {
        metadata
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .ok()
            .map(|i| &metadata[i])
    };
    find(series_name).or_else(|| {
        ["_total", "_bucket", "_sum", "_count", "_created", "_info"]
            .iter()
            .find_map(|suffix| series_name.strip_suffix(suffix).and_then(find))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str, kind: MetricKind) -> MetricMetadata {
        MetricMetadata {
            name: name.into(),
            kind,
            help: String::new(),
            unit: String::new(),
            variants: 1,
        }
    }

    #[test]
    fn series_names_find_their_family() {
        let all = [
            meta("demo_http_request_duration_seconds", MetricKind::Histogram),
            meta("demo_http_requests", MetricKind::Counter),
            meta("go_goroutines", MetricKind::Gauge),
        ];
        let kind = |n| describe(&all, n).map(|m| m.kind.clone());
        assert_eq!(kind("go_goroutines"), Some(MetricKind::Gauge));
        assert_eq!(kind("demo_http_requests_total"), Some(MetricKind::Counter));
        assert_eq!(
            kind("demo_http_request_duration_seconds_bucket"),
            Some(MetricKind::Histogram)
        );
        assert_eq!(kind("nope_total"), None);
    }

    #[test]
    fn kinds_round_trip_and_unknown_names_are_kept() {
        for name in [
            "counter",
            "gauge",
            "histogram",
            "gaugehistogram",
            "summary",
            "info",
            "stateset",
        ] {
            assert_eq!(MetricKind::parse(name).as_str(), name);
        }
        assert_eq!(MetricKind::parse("untyped"), MetricKind::Unknown);
        assert_eq!(MetricKind::parse("weird").as_str(), "weird");
    }
}
