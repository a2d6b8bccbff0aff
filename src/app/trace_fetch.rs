//! Traces from whichever source a traces panel reads: a search's list of traces, and one
//! trace by id, from Jaeger, Tempo or the Local store. Shared by the window and the renderer.

use super::panel_state::PanelData;
use crate::analysis::AnalysedTrace;
use crate::analysis::service_graph::{ResultsServiceGraph, service_graph};
use crate::analysis::tag_filter::parse_tag_filter;
use crate::fetch::Progress;
use crate::model::{Trace, TraceId};
use crate::sources::jaeger::{JaegerClient, TraceSearch};
use crate::sources::tempo::{TempoClient, TraceQlSearch};
use crate::sources::{DecodedTraces, HttpClient, SourceError};
use crate::store::LocalStore;
use crate::ui::traces_panel::{RESULTS_GRAPH_TRACES, TRACE_LIST_LIMIT};
use crate::workspace::{Connection, SourceKind, TracesPanel};
use std::sync::Arc;

/// Unix seconds to nanoseconds.
fn ns(t: f64) -> u64 {
    (t.max(0.0) * 1e9) as u64
}

/// The Jaeger search a traces panel's form describes over `[from, to]` (Unix seconds).
pub fn jaeger_search(
    spec: &TracesPanel,
    (from, to): (f64, f64),
) -> Result<TraceSearch, SourceError> {
    let service = spec.service.trim();
    if service.is_empty() {
        // Jaeger's search API requires a service, as its UI's form does.
        return Err(SourceError::Config(
            "Jaeger searches one service at a time: type a service".into(),
        ));
    }
    let tags = parse_tag_filter(&spec.attribute)
        .map_err(|e| SourceError::Config(format!("Attribute: {e}")))?;
    Ok(TraceSearch {
        service: service.to_owned(),
        operation: Some(spec.operation.trim().to_owned()).filter(|o| !o.is_empty()),
        tags,
        min_duration_ns: Some((spec.min_duration_ms.max(0.0) * 1e6) as u64).filter(|&d| d > 0),
        max_duration_ns: spec.max_duration_ns(),
        limit: spec.limit_or(TRACE_LIST_LIMIT),
        start_ns: ns(from),
        end_ns: ns(to),
    })
}

/// The TraceQL search of a traces panel over `[from, to]`; an empty query matches every trace.
pub fn tempo_search(spec: &TracesPanel, (from, to): (f64, f64)) -> TraceQlSearch {
    let query = spec.traceql.trim();
    TraceQlSearch {
        query: if query.is_empty() { "{}" } else { query }.to_owned(),
        start_s: from.max(0.0).floor() as u64,
        end_s: to.max(0.0).ceil() as u64,
        limit: spec.limit_or(TRACE_LIST_LIMIT),
        spans_per_span_set: None,
    }
}

/// Searches a Jaeger or Tempo connection for a traces panel's list.
pub async fn search_remote_traces(
    spec: TracesPanel,
    conn: Connection,
    range: (f64, f64),
    progress: &Progress,
) -> Result<PanelData, SourceError> {
    let http = HttpClient::new(&conn)?;
    let mut list = match conn.kind {
        SourceKind::Jaeger => {
            let search = jaeger_search(&spec, range)?;
            JaegerClient::new(http)
                .search_summaries(&search, progress)
                .await?
        }
        SourceKind::Tempo => {
            let found = TempoClient::new(http)
                .search(&tempo_search(&spec, range), progress)
                .await?;
            found.traces.into_iter().map(|t| t.summary).collect()
        }
        other => {
            return Err(SourceError::Config(format!(
                "{} does not serve traces",
                other.name()
            )));
        }
    };
    if spec.errors_only {
        list.retain(|t| t.error_count > 0);
    }
    list.sort_by_key(|t| std::cmp::Reverse(t.start_ns));
    Ok(PanelData::Traces(list))
}

/// One trace by id from `conn` (a Local connection reads `store`), analysed off the async
/// workers; a trace with notes (partial, spans dropped) is logged, not refused. `progress`
/// counts the bytes received, then the spans being analysed.
pub async fn fetch_trace(
    conn: Connection,
    store: Option<LocalStore>,
    trace_id: TraceId,
    progress: Arc<Progress>,
) -> Result<AnalysedTrace, SourceError> {
    let trace = fetch_plain_trace(&conn, store, trace_id, &progress).await?;
    progress.set_items(trace.spans.len() as u64);
    tokio::task::spawn_blocking(move || AnalysedTrace::new(trace))
        .await
        .map_err(|e| SourceError::Config(format!("analysing the trace stopped: {e}")))
}

/// One trace by id from `conn`, as decoded.
async fn fetch_plain_trace(
    conn: &Connection,
    store: Option<LocalStore>,
    trace_id: TraceId,
    progress: &Progress,
) -> Result<Trace, SourceError> {
    match conn.kind {
        SourceKind::Local => {
            let store = store.ok_or_else(|| {
                SourceError::Config("the local store is not running in this session".into())
            })?;
            tokio::task::spawn_blocking(move || store.trace(trace_id))
                .await
                .map_err(|e| SourceError::Config(format!("reading the trace stopped: {e}")))?
                .ok_or_else(|| {
                    SourceError::Config(format!("trace {trace_id} is not in the local store"))
                })
        }
        SourceKind::Jaeger => {
            let http = HttpClient::new(conn)?;
            first_trace(JaegerClient::new(http).trace(trace_id, progress).await?)
        }
        SourceKind::Tempo => {
            let http = HttpClient::new(conn)?;
            let fetched = TempoClient::new(http)
                .trace(&trace_id.to_string(), progress)
                .await?;
            if let Some(note) = &fetched.partial {
                tracing::warn!("trace {trace_id} is partial: {note}");
            }
            first_trace(fetched.decoded)
        }
        other => Err(SourceError::Config(format!(
            "{} does not serve traces",
            other.name()
        ))),
    }
}

/// The service graph of the listed traces `ids`: each is fetched whole from `conn` (the
/// list holds summaries only), one after another, `progress` counting them. A trace that
/// cannot be read is named and skipped; a server that cannot be reached ends it.
pub async fn fetch_results_graph(
    conn: Connection,
    store: Option<LocalStore>,
    ids: Vec<TraceId>,
    progress: &Progress,
) -> Result<ResultsServiceGraph, SourceError> {
    let left_out = ids.len().saturating_sub(RESULTS_GRAPH_TRACES);
    let mut traces = Vec::new();
    let mut missing = Vec::new();
    for (n, id) in ids.into_iter().take(RESULTS_GRAPH_TRACES).enumerate() {
        progress.set_items(n as u64);
        match fetch_plain_trace(&conn, store.clone(), id, progress).await {
            Ok(trace) => traces.push(trace),
            Err(e @ (SourceError::Unreachable { .. } | SourceError::Timeout { .. })) => {
                return Err(e);
            }
            Err(e) => missing.push((id, e.to_string())),
        }
    }
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&Trace> = traces.iter().collect();
        ResultsServiceGraph {
            graph: service_graph(&refs),
            traces: traces.len(),
            spans: traces.iter().map(|t| t.spans.len()).sum(),
            missing,
            left_out,
        }
    })
    .await
    .map_err(|e| SourceError::Config(format!("building the service graph stopped: {e}")))
}

fn first_trace(decoded: DecodedTraces) -> Result<Trace, SourceError> {
    if decoded.dropped_spans > 0 {
        tracing::warn!(
            "{} spans without readable ids were left out",
            decoded.dropped_spans
        );
    }
    decoded
        .traces
        .into_iter()
        .next()
        .ok_or_else(|| SourceError::Config("the server answered with no spans".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_bounds_durations_and_the_number_of_traces() {
        let mut spec = TracesPanel {
            service: "checkout".into(),
            attribute: "http.status_code=500 region=\"eu\"".into(),
            min_duration_ms: 250.0,
            ..TracesPanel::default()
        };
        let s = jaeger_search(&spec, (10.0, 20.0)).unwrap();
        assert_eq!(s.min_duration_ns, Some(250_000_000));
        assert_eq!(s.max_duration_ns, None);
        assert_eq!(s.limit, TRACE_LIST_LIMIT);
        assert_eq!(
            s.tags,
            [
                ("http.status_code".to_owned(), "500".to_owned()),
                ("region".to_owned(), "eu".to_owned())
            ]
        );
        spec.max_duration_ms = 1500.0;
        spec.limit = 20;
        let s = jaeger_search(&spec, (10.0, 20.0)).unwrap();
        assert_eq!(s.max_duration_ns, Some(1_500_000_000));
        assert_eq!(s.limit, 20);
        assert_eq!(tempo_search(&spec, (10.0, 20.0)).limit, 20);
        spec.attribute = "error db.statement=\"select 1\"".into();
        assert_eq!(
            jaeger_search(&spec, (10.0, 20.0)).unwrap().tags,
            [
                ("error".to_owned(), "true".to_owned()),
                ("db.statement".to_owned(), "select 1".to_owned())
            ]
        );
        spec.attribute = "region=\"eu".into();
        let err = jaeger_search(&spec, (10.0, 20.0)).unwrap_err();
        assert!(
            err.to_string()
                .contains("Attribute: the value of region has no closing quote"),
            "{err}"
        );
        spec.attribute.clear();
        spec.service.clear();
        assert!(jaeger_search(&spec, (10.0, 20.0)).is_err());
    }
}
