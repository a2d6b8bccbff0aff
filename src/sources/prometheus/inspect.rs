//! The query inspector's data: what was asked (URL and parameters), what came back (status,
//! bytes, series, points, warnings) and where the time went (network, server, decoding).
//!
//! Server time comes from Prometheus' own statistics: the request carries `stats=1`, which asks
//! for the timings and sample counts only (not `stats=all`, whose per-step counts grow with the
//! range). Servers that do not send statistics (VictoriaMetrics 1.79) leave it `None`.

use super::{RangeQuery, fmt_num, interpret};
use crate::fetch::Progress;
use crate::model::QueryResult;
use crate::sources::{HttpClient, SourceError};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// What the inspector shows about one query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryInspection {
    /// `POST` for range queries (the form keeps long PromQL out of the URL).
    pub method: &'static str,
    /// The URL with the parameters as a query string, as the Prometheus UI shows it.
    pub url: String,
    /// The parameters sent, in order.
    pub params: Vec<(String, String)>,
    /// `None` when no response arrived (unreachable, timeout).
    pub http_status: Option<u16>,
    pub response_bytes: u64,
    /// From sending the request until the whole body was read.
    pub network_time: Duration,
    /// The server's own execution time (Prometheus `stats.timings.execTotalTime`).
    pub server_time: Option<Duration>,
    /// Samples the server read to answer (Prometheus `stats.samples.totalQueryableSamples`).
    pub samples_read: Option<u64>,
    /// Time spent turning the body into series.
    pub decode_time: Duration,
    pub series: usize,
    pub points: usize,
    pub warnings: Vec<String>,
    pub infos: Vec<String>,
    /// The error, as the user saw it, when the query failed.
    pub error: Option<String>,
}

/// A query's outcome together with its inspection.
#[derive(Debug)]
pub struct InspectedQuery {
    pub result: Result<QueryResult, SourceError>,
    pub inspection: QueryInspection,
}

/// Runs a range query like [`super::range_query`] and records what the inspector shows.
pub async fn range_query_inspected(
    http: &HttpClient,
    q: &RangeQuery,
    progress: &Progress,
) -> InspectedQuery {
    let (start, end, step) = (fmt_num(q.start), fmt_num(q.end), fmt_num(q.step));
    let form = [
        ("query", q.query.as_str()),
        ("start", start.as_str()),
        ("end", end.as_str()),
        ("step", step.as_str()),
        ("stats", "1"),
    ];
    let mut inspection = QueryInspection {
        method: "POST",
        url: format!("{}/api/v1/query_range", http.base_url()),
        params: form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..QueryInspection::default()
    };
    let sent = Instant::now();
    let response = http.post_form("/api/v1/query_range", &form, progress).await;
    inspection.network_time = sent.elapsed();
    let response = match response {
        Ok(response) => response,
        Err(e) => {
            inspection.error = Some(e.to_string());
            return InspectedQuery {
                result: Err(e),
                inspection,
            };
        }
    };
    inspection.url = response.url.clone();
    inspection.http_status = Some(response.status);
    inspection.response_bytes = response.body.len() as u64;
    let url = response.url.clone();
    // Large bodies take milliseconds to decode: keep that off the async workers.
    let decoded = tokio::task::spawn_blocking(move || {
        // Statistics first: `interpret` takes the body. Error bodies simply have none.
        let stats = serde_json::from_slice::<StatsEnvelope>(&response.body)
            .ok()
            .and_then(|s| s.data.stats);
        let started = Instant::now();
        let result = interpret(response);
        (result, started.elapsed(), stats)
    })
    .await;
    let result = match decoded {
        Ok((result, decode_time, stats)) => {
            inspection.decode_time = decode_time;
            if let Some(stats) = stats {
                inspection.server_time = stats
                    .timings
                    .and_then(|t| Duration::try_from_secs_f64(t.exec_total_time).ok());
                inspection.samples_read = stats.samples.map(|s| s.total_queryable_samples);
            }
            result
        }
        Err(e) => Err(SourceError::Decode {
            url,
            message: format!("decoder stopped: {e}"),
            line: 0,
            column: 0,
        }),
    };
    match &result {
        Ok(r) => {
            inspection.series = r.series.len();
            inspection.points = r.point_count();
            inspection.warnings = r.warnings.clone();
            inspection.infos = r.infos.clone();
        }
        Err(e) => inspection.error = Some(e.to_string()),
    }
    InspectedQuery { result, inspection }
}

/// Only `data.stats` of a query response; the result itself is skipped without allocating.
#[derive(Deserialize)]
struct StatsEnvelope {
    data: StatsData,
}

#[derive(Deserialize)]
struct StatsData {
    #[serde(default)]
    stats: Option<ServerStats>,
}

#[derive(Deserialize)]
struct ServerStats {
    #[serde(default)]
    timings: Option<Timings>,
    #[serde(default)]
    samples: Option<Samples>,
}

#[derive(Deserialize)]
struct Timings {
    #[serde(rename = "execTotalTime")]
    exec_total_time: f64,
}

#[derive(Deserialize)]
struct Samples {
    #[serde(rename = "totalQueryableSamples")]
    total_queryable_samples: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_are_read_from_a_recorded_response() {
        let body =
            include_bytes!("../../../tests/fixtures/prometheus/query-vector-with-stats.json");
        let stats = serde_json::from_slice::<StatsEnvelope>(body)
            .unwrap()
            .data
            .stats
            .unwrap();
        assert_eq!(stats.timings.unwrap().exec_total_time, 0.000166397);
        assert_eq!(stats.samples.unwrap().total_queryable_samples, 3);
    }
}
