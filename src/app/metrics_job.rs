//! Runs every query of a metrics panel at once and prepares what its chart and table show,
//! all off the UI thread: decoding, legend names and the legend's statistics.

use super::panel_state::{MetricsOutcome, PanelData};
use crate::analysis::heatmap::heatmaps;
use crate::analysis::heatmap_view::heatmap_view;
use crate::analysis::{QueryPart, chart_data};
use crate::fetch::Progress;
use crate::model::{ChartExemplar, QueryResult, QueryRun};
use crate::sources::prometheus::exemplars::query_exemplars;
use crate::sources::prometheus::{QueryInspection, RangeQuery, range_query_inspected};
use crate::sources::{HttpClient, SourceError};
use crate::store::LocalStore;
use crate::workspace::{ChartKind, Connection, MetricQuery, MetricsPanel};
use std::sync::Arc;
use std::time::Instant;

/// Runs `spec`'s enabled queries over `[from, to]` against the local store or `conn`.
pub async fn run_metrics_queries(
    spec: MetricsPanel,
    (from, to): (f64, f64),
    width_px: f32,
    store: Option<LocalStore>,
    conn: Option<Connection>,
    progress: Arc<Progress>,
) -> Result<PanelData, SourceError> {
    let http = match (&store, conn) {
        (None, Some(conn)) => Some(HttpClient::new(&conn)?),
        (None, None) => {
            return Err(SourceError::Config(
                "choose a connection for this panel".into(),
            ));
        }
        (Some(_), _) => None,
    };
    let runs = spec.queries.iter().map(|q| {
        let request = request_for(q, (from, to), width_px);
        let instant = q.instant;
        let (store, http, progress) = (store.clone(), http.clone(), Arc::clone(&progress));
        async move {
            let request = request?;
            let mut found_exemplars = Vec::new();
            let started = Instant::now();
            let (result, inspection) = match (store, http) {
                (Some(store), _) => {
                    let q = request.clone();
                    let result = tokio::task::spawn_blocking(move || {
                        crate::sources::local::range_query(&store, &q.query, q.start, q.end, q.step)
                    })
                    .await
                    .unwrap_or_else(|e| {
                        Err(SourceError::Config(format!("local query stopped: {e}")))
                    });
                    let inspection = local_inspection(&request, &result, started.elapsed());
                    (result, inspection)
                }
                (None, Some(http)) => {
                    let (inspected, exemplars) = futures_util::future::join(
                        range_query_inspected(&http, &request, &progress),
                        exemplars_for(&http, &request, instant, &progress),
                    )
                    .await;
                    let mut result = inspected.result;
                    if let Ok(r) = &mut result {
                        match exemplars {
                            Ok(found) => found_exemplars = found,
                            // Servers without the exemplar API (older Prometheus, some
                            // proxies) simply have none to show.
                            Err(SourceError::HttpStatus { status: 404, .. }) => {}
                            // Not fatal: the chart still draws; say why points are missing.
                            Err(e) => r.warnings.push(format!("exemplars: {e}")),
                        }
                    }
                    (result, inspected.inspection)
                }
                (None, None) => unreachable!("a store or a client was chosen above"),
            };
            Some((
                result.map(|result| QueryRun {
                    id: QueryRun::next_id(),
                    start: request.start,
                    end: request.end,
                    step: request.step,
                    result,
                    // Queries share one progress counter: this is the panel's total so far.
                    bytes: progress.bytes(),
                    elapsed: started.elapsed(),
                }),
                inspection,
                found_exemplars,
            ))
        }
    });
    let mut exemplars = Vec::new();
    let (outcomes, inspections): (Vec<_>, Vec<_>) = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .map(|r| match r {
            Some((outcome, inspection, found)) => {
                exemplars.extend(found);
                (Some(outcome), Some(inspection))
            }
            None => (None, None),
        })
        .unzip();
    let cap = spec.series_cap;
    // Legend names and statistics scan every sample: keep that off the async workers too.
    tokio::task::spawn_blocking(move || {
        assemble(&spec, (from, to), outcomes, inspections, exemplars, cap)
    })
    .await
    .map_err(|e| SourceError::Config(format!("preparing the chart stopped: {e}")))
}

/// The request for one panel query, or `None` when it is empty or disabled.
fn request_for(q: &MetricQuery, (from, to): (f64, f64), width_px: f32) -> Option<RangeQuery> {
    let expr = q.expr.trim();
    if q.disabled || expr.is_empty() {
        return None;
    }
    let mut request = RangeQuery::for_width(expr, from, to, width_px);
    if q.min_step_secs > request.step {
        request.step = q.min_step_secs.ceil();
        request.start = (from / request.step).floor() * request.step;
    }
    if q.instant {
        // One evaluation at the end of the range: a range query over a single point is what
        // Prometheus runs for an instant query, and the Local source answers it the same way.
        request.start = to;
        request.end = to;
    }
    Some(request)
}

/// Moves the series of every run into the chart (range queries) or the table (instant ones).
fn assemble(
    spec: &MetricsPanel,
    range: (f64, f64),
    mut outcomes: Vec<Option<Result<QueryRun, SourceError>>>,
    inspections: Vec<Option<QueryInspection>>,
    exemplars: Vec<ChartExemplar>,
    cap: usize,
) -> PanelData {
    let mut range_parts = Vec::new();
    let mut instant_parts = Vec::new();
    let want_heatmap = spec.chart.kind == ChartKind::Heatmap;
    let mut heatmap = None;
    for (i, (q, outcome)) in spec.queries.iter().zip(&mut outcomes).enumerate() {
        let Some(Ok(run)) = outcome else { continue };
        if want_heatmap && !q.instant && heatmap.is_none() {
            let set = heatmaps(&run.result);
            if let Some(first) = set.heatmaps.first() {
                let more = set.heatmaps.len() - 1;
                heatmap = Some(Arc::new(heatmap_view(first, HEATMAP_COLUMNS, more)));
            }
        }
        let natives = run.result.histograms.len();
        if natives > 0 && !want_heatmap {
            // Lines cannot show a native histogram; never leave them out silently.
            run.result.warnings.push(format!(
                "{natives} native histogram series are not drawn as lines: choose the Heatmap chart kind"
            ));
        }
        let part = QueryPart {
            query: i,
            legend: q.legend.clone(),
            step: run.step,
            result: QueryResult {
                series: std::mem::take(&mut run.result.series),
                ..QueryResult::default()
            },
        };
        if q.instant {
            instant_parts.push(part);
        } else {
            range_parts.push(part);
        }
    }
    let mut chart = chart_data(QueryRun::next_id(), range, &mut range_parts, cap);
    chart.exemplars = exemplars;
    let table = chart_data(QueryRun::next_id(), range, &mut instant_parts, cap);
    PanelData::Metrics(MetricsOutcome {
        chart: Arc::new(chart),
        table: Arc::new(table),
        queries: outcomes,
        inspections,
        heatmap,
    })
}

/// Columns a heatmap is merged down to: a cell per few pixels of a wide chart.
const HEATMAP_COLUMNS: usize = 400;

/// The exemplars of a range query's series over its range (none for instant queries).
async fn exemplars_for(
    http: &HttpClient,
    q: &RangeQuery,
    instant: bool,
    progress: &Progress,
) -> Result<Vec<ChartExemplar>, SourceError> {
    if instant {
        return Ok(Vec::new());
    }
    let reply = query_exemplars(http, &q.query, q.start, q.end, progress).await?;
    Ok(reply
        .data
        .into_iter()
        .flat_map(|series| {
            let name = series.labels.to_string();
            series.exemplars.into_iter().map(move |e| ChartExemplar {
                time: e.timestamp,
                value: e.value,
                series: name.clone(),
                trace_id: e.trace_id(),
                labels: e.labels,
            })
        })
        .collect())
}

/// What the inspector shows for a query the local store answered.
fn local_inspection(
    q: &RangeQuery,
    result: &Result<QueryResult, SourceError>,
    took: std::time::Duration,
) -> QueryInspection {
    let mut inspection = QueryInspection {
        method: "LOCAL",
        url: "embedded store".into(),
        params: vec![
            ("query".into(), q.query.clone()),
            ("start".into(), q.start.to_string()),
            ("end".into(), q.end.to_string()),
            ("step".into(), q.step.to_string()),
        ],
        server_time: Some(took),
        ..QueryInspection::default()
    };
    match result {
        Ok(r) => {
            inspection.series = r.series.len();
            inspection.points = r.point_count();
            inspection.warnings = r.warnings.clone();
            inspection.infos = r.infos.clone();
        }
        Err(e) => inspection.error = Some(e.to_string()),
    }
    inspection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_step_and_instant_shape_the_request() {
        let mut q = MetricQuery::new("up");
        let auto = request_for(&q, (1000.0, 4600.0), 1200.0).unwrap();
        assert_eq!(auto.step, 3.0);
        q.min_step_secs = 60.0;
        let coarse = request_for(&q, (1000.0, 4600.0), 1200.0).unwrap();
        assert_eq!(
            (coarse.step, coarse.start, coarse.end),
            (60.0, 960.0, 4600.0)
        );
        q.instant = true;
        let instant = request_for(&q, (1000.0, 4600.0), 1200.0).unwrap();
        assert_eq!((instant.start, instant.end), (4600.0, 4600.0));
        q.disabled = true;
        assert!(request_for(&q, (1000.0, 4600.0), 1200.0).is_none());
        assert!(request_for(&MetricQuery::new("  "), (0.0, 1.0), 100.0).is_none());
    }
}
