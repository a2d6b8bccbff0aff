//! What each panel kind asks its source for, and the job that asks it: shared by the GUI's
//! panels and the headless renderer so both fetch a panel's data the same way.

use super::metrics_job::run_metrics_queries;
use super::panel_state::{LogsOutcome, PanelData};
use super::slo_job::run_slo;
use crate::analysis::log_level::assign_levels;
use crate::analysis::log_volume::{LogVolume, VOLUME_BUCKETS, volume_from_counts};
use crate::analysis::trace_link::TraceLinkPattern;
use crate::fetch::Progress;
use crate::model::TraceId;
use crate::sources::loki::paging::{LoadProgress, load_logs};
use crate::sources::loki::{Direction, LokiAnswer, LokiRangeQuery, NsRange, query_range};
use crate::sources::{HttpClient, SourceError};
use crate::store::{LocalStore, LogQuery, TraceQuery};
use crate::workspace::{Connection, LogsPanel, PanelKind, SourceKind, TracesPanel};
use std::sync::Arc;

/// Most log lines a logs panel loads (the newest of them when more match).
pub const LOCAL_LOG_LIMIT: usize = 1_000_000;

/// Unix seconds to the store's nanoseconds.
fn ns(t: f64) -> u64 {
    (t.max(0.0) * 1e9) as u64
}

/// The store query of a logs panel over `[from, to]` (Unix seconds).
pub fn log_query(spec: &LogsPanel, (from, to): (f64, f64)) -> Result<LogQuery, SourceError> {
    let trace_id = spec.trace_id.trim();
    let trace = if trace_id.is_empty() {
        None
    } else {
        Some(TraceId::parse_hex(trace_id).ok_or_else(|| {
            SourceError::Config(format!("“{trace_id}” is not a 32-digit hex trace id"))
        })?)
    };
    Ok(LogQuery {
        service: Some(spec.service.trim().to_owned()).filter(|s| !s.is_empty()),
        min_severity: spec.min_severity,
        text: Some(spec.text.clone()).filter(|s| !s.trim().is_empty()),
        trace_id: trace,
        start_ns: ns(from),
        end_ns: ns(to),
        limit: LOCAL_LOG_LIMIT,
    })
}

/// The store query of a traces panel over `[from, to]` (Unix seconds); an *Attribute* field
/// that cannot be read is an error.
pub fn trace_query(spec: &TracesPanel, (from, to): (f64, f64)) -> Result<TraceQuery, SourceError> {
    let attributes = crate::analysis::tag_filter::parse_tag_filter(&spec.attribute)
        .map_err(|e| SourceError::Config(format!("Attribute: {e}")))?;
    Ok(TraceQuery {
        service: Some(spec.service.trim().to_owned()).filter(|s| !s.is_empty()),
        operation: Some(spec.operation.trim().to_owned()).filter(|s| !s.is_empty()),
        attributes,
        min_duration_ns: (spec.min_duration_ms.max(0.0) * 1e6) as u64,
        max_duration_ns: spec.max_duration_ns(),
        errors_only: spec.errors_only,
        start_ns: ns(from),
        end_ns: ns(to),
        limit: spec.limit_or(crate::ui::traces_panel::TRACE_LIST_LIMIT),
    })
}

/// Searches the store's logs over `range` (Unix seconds) off the async workers.
pub async fn find_logs(
    store: LocalStore,
    q: LogQuery,
    (start, end): (f64, f64),
) -> Result<PanelData, SourceError> {
    tokio::task::spawn_blocking(move || {
        PanelData::Logs(LogsOutcome {
            volume: None,
            batch: Arc::new(store.find_logs(&q)),
            start,
            end,
        })
    })
    .await
    .map_err(|e| SourceError::Config(format!("log search stopped: {e}")))
}

/// Loads a Loki logs panel's LogQL over `range` (Unix seconds), newest first, paging past
/// Loki's per-query limit up to [`LOCAL_LOG_LIMIT`] lines, and finds the trace ids in them
/// with the workspace's pattern (`trace_pattern`; an invalid one is an error that says so).
/// Dropping the future cancels it.
pub async fn load_loki_logs(
    spec: LogsPanel,
    conn: Connection,
    (start, end): (f64, f64),
    trace_pattern: String,
    progress: Arc<Progress>,
) -> Result<PanelData, SourceError> {
    let pattern = TraceLinkPattern::configured(&trace_pattern).map_err(|e| {
        SourceError::Config(format!(
            "the trace-id pattern in the workspace's correlations is not a valid regex: {e}"
        ))
    })?;
    let query = spec.query.trim();
    if query.is_empty() {
        return Err(SourceError::Config(
            "type a LogQL query, e.g. {service_name=\"checkout\"} |= \"error\"".into(),
        ));
    }
    let http = HttpClient::new(&conn)?;
    let range = NsRange {
        start_ns: ns(start),
        // Loki's end is exclusive; the panel's range includes its last nanosecond.
        end_ns: ns(end).saturating_add(1),
    };
    let progress = LoadProgress::reporting_to(progress);
    // The lines and the volume histogram's one metric query, at the same time.
    let (batch, volume) = tokio::join!(
        load_logs(
            &http,
            query,
            range,
            Direction::Backward,
            LOCAL_LOG_LIMIT,
            &progress,
        ),
        loki_volume(&http, query, range)
    );
    let batch = batch?;
    let batch = tokio::task::spawn_blocking(move || {
        let mut batch = batch;
        pattern.fill(&mut batch);
        // Loki has no severity column: the level comes from labels or the line.
        assign_levels(&mut batch);
        batch
    })
    .await
    .map_err(|e| SourceError::Config(format!("finding trace ids stopped: {e}")))?;
    Ok(PanelData::Logs(LogsOutcome {
        volume: Some(volume.map(Arc::new).map_err(|e| e.to_string())),
        batch: Arc::new(batch),
        start,
        end,
    }))
}

/// The volume histogram of a log query over `range`, stacked by level, from one metric query
/// (`sum by (detected_level) (count_over_time(…))`, a step per bar): Loki counts every line,
/// not only the ones loaded.
async fn loki_volume(
    http: &HttpClient,
    query: &str,
    range: NsRange,
) -> Result<LogVolume, SourceError> {
    // Whole milliseconds: the range's end is one nanosecond past the panel's.
    let span_ms = range.end_ns.saturating_sub(range.start_ns) / 1_000_000;
    let span_secs = (span_ms as f64 / 1e3).max(1.0);
    let step = (span_secs / VOLUME_BUCKETS as f64).ceil().max(1.0);
    let q = LokiRangeQuery {
        query: format!("sum by (detected_level) (count_over_time({query} [{step}s]))"),
        range,
        limit: 1_000,
        direction: Direction::Backward,
        step: Some(step),
        categorize_labels: false,
    };
    let result = match query_range(http, &q, &Progress::default()).await? {
        LokiAnswer::Metric(result) => result,
        LokiAnswer::Logs(_) | LokiAnswer::Error(_) => {
            return Err(SourceError::Config(
                "Loki did not answer the volume query with series".into(),
            ));
        }
    };
    let series: Vec<(&str, &[f64], &[f64])> = result
        .series
        .iter()
        .map(|s| {
            (
                s.labels.get("detected_level").unwrap_or(""),
                s.timestamps.as_slice(),
                s.values.as_slice(),
            )
        })
        .collect();
    Ok(volume_from_counts(
        &series,
        (range.start_ns, range.end_ns),
        VOLUME_BUCKETS,
    ))
}

/// Searches the store's traces off the async workers.
pub async fn find_traces(store: LocalStore, q: TraceQuery) -> Result<PanelData, SourceError> {
    tokio::task::spawn_blocking(move || PanelData::Traces(store.find_traces(&q)))
        .await
        .map_err(|e| SourceError::Config(format!("trace search stopped: {e}")))
}

/// Fetches what a panel of `kind` shows over `range` from `conn` (a Local connection reads
/// `store`; Loki lines are searched for trace ids with `trace_pattern`). `Ok(None)` when the panel has nothing to run (every query empty or disabled).
pub async fn fetch_panel(
    kind: PanelKind,
    range: (f64, f64),
    width_px: f32,
    conn: Connection,
    store: Option<LocalStore>,
    progress: Arc<Progress>,
    trace_pattern: String,
) -> Result<Option<PanelData>, SourceError> {
    let store = match conn.kind {
        SourceKind::Local => Some(store.ok_or_else(|| {
            SourceError::Config("the local store is not running in this session".into())
        })?),
        SourceKind::Prometheus | SourceKind::Loki | SourceKind::Jaeger | SourceKind::Tempo => None,
    };
    let local_only = |what: &str| {
        SourceError::Config(format!(
            "{what} panels read the Local source; other sources come later"
        ))
    };
    match kind {
        PanelKind::Metrics(spec) => {
            if spec
                .queries
                .iter()
                .all(|q| q.disabled || q.expr.trim().is_empty())
            {
                return Ok(None);
            }
            let http = store.is_none().then_some(conn);
            run_metrics_queries(spec, range, width_px, store, http, progress)
                .await
                .map(Some)
        }
        PanelKind::Logs(spec) if conn.kind == SourceKind::Loki => {
            load_loki_logs(spec, conn, range, trace_pattern, progress)
                .await
                .map(Some)
        }
        PanelKind::Logs(spec) => {
            let store = store.ok_or_else(|| local_only("log"))?;
            find_logs(store, log_query(&spec, range)?, range)
                .await
                .map(Some)
        }
        PanelKind::Traces(spec) if matches!(conn.kind, SourceKind::Jaeger | SourceKind::Tempo) => {
            super::trace_fetch::search_remote_traces(spec, conn, range, &progress)
                .await
                .map(Some)
        }
        PanelKind::Traces(spec) => {
            let store = store.ok_or_else(|| local_only("trace"))?;
            find_traces(store, trace_query(&spec, range)?)
                .await
                .map(Some)
        }
        PanelKind::Slo(spec) => {
            let http = store.is_none().then_some(conn);
            run_slo(spec, range.1, store, http, progress)
                .await
                .map(Some)
        }
        // The overview shows other panels' results and fetches nothing itself.
        PanelKind::SloOverview(_) => Ok(None),
    }
}
