//! Per-panel runtime state: the query in flight and the last result. Never saved.

use crate::analysis::AnalysedTrace;
use crate::analysis::heatmap_view::HeatmapView;
use crate::analysis::service_graph::ResultsServiceGraph;
use crate::fetch::Job;
use crate::model::{ChartData, LogBatch, QueryRun, TraceSummary};
use crate::slo::evaluate::SloStatus;
use crate::sources::SourceError;
use crate::sources::prometheus::QueryInspection;
use crate::ui::metrics_panel::MetricsShown;
use std::sync::Arc;

/// What a panel's query returned, by panel kind.
#[derive(Clone)]
pub enum PanelData {
    Metrics(MetricsOutcome),
    Logs(LogsOutcome),
    Traces(Vec<TraceSummary>),
    Slo(Arc<SloStatus>),
}

pub type QueryJob = Job<Result<PanelData, SourceError>>;

#[derive(Default)]
pub struct PanelState {
    /// The query in flight; replacing or dropping it aborts the request.
    pub job: Option<QueryJob>,
    /// The last finished query, shown while a new one loads.
    pub last: Option<Result<PanelData, SourceError>>,
    /// A trace being fetched for a traces panel, and the one on show.
    pub trace_job: Option<TraceJob>,
    pub open_trace: Option<Arc<AnalysedTrace>>,
    /// The service graph of a traces panel's listed traces: being built, and on show.
    pub results_graph_job: Option<Job<Result<ResultsServiceGraph, SourceError>>>,
    pub results_graph: Option<Arc<ResultsServiceGraph>>,
    /// The span a link asked to select in the trace it opens.
    pub focus: Option<(crate::model::TraceId, crate::model::SpanId)>,
    /// The panel's rectangle in the last frame, in points (for export).
    pub rect: Option<egui::Rect>,
    /// The chart's width in the last frame, for the query step.
    pub width_px: f32,
    /// Series the legend has hidden, by name; kept across refreshes.
    pub hidden_series: std::collections::HashSet<String>,
}

/// A trace being fetched or analysed, with its id.
pub struct TraceJob {
    pub trace_id: crate::model::TraceId,
    pub job: Job<Result<AnalysedTrace, SourceError>>,
}

impl PanelState {
    /// The trace being opened, and how far it has got.
    pub fn trace_opening(&self) -> Option<crate::ui::traces_panel::TraceOpening> {
        let TraceJob { trace_id, job } = self.trace_job.as_ref()?;
        Some(crate::ui::traces_panel::TraceOpening {
            trace_id: *trace_id,
            elapsed: job.elapsed(),
            bytes: job.bytes_received(),
            spans: job.items_received(),
        })
    }

    /// Moves finished jobs' results into place; returns what failed, worded for the user
    /// (a trace that could not be opened, a service graph that could not be built).
    pub fn poll(&mut self) -> Vec<String> {
        let mut failures = Vec::new();
        if let Some(job) = self.results_graph_job.take() {
            match job.try_take() {
                Ok(Ok(graph)) => self.results_graph = Some(Arc::new(graph)),
                Ok(Err(e)) => failures.push(format!(
                    "Could not build the service graph of the listed traces: {e}"
                )),
                Err(job) => self.results_graph_job = Some(job),
            }
        }
        if let Some(job) = self.job.take() {
            match job.try_take() {
                Ok(result) => self.last = Some(result),
                Err(job) => self.job = Some(job),
            }
        }
        if let Some(TraceJob { trace_id, job }) = self.trace_job.take() {
            match job.try_take() {
                Ok(Ok(trace)) => self.open_trace = Some(Arc::new(trace)),
                Ok(Err(e)) => failures.push(format!("Could not open the trace: {e}")),
                Err(job) => self.trace_job = Some(TraceJob { trace_id, job }),
            }
        }
        failures
    }

    /// The last metrics result, if this is a metrics panel that has one.
    pub fn metrics(&self) -> Option<Result<&MetricsOutcome, &SourceError>> {
        match self.last.as_ref()? {
            Ok(PanelData::Metrics(outcome)) => Some(Ok(outcome)),
            Err(e) => Some(Err(e)),
            Ok(_) => None,
        }
    }
}

/// Every query of a metrics panel, run together.
#[derive(Clone)]
pub struct MetricsOutcome {
    /// The series of the range queries, drawn by the chart.
    pub chart: Arc<ChartData>,
    /// The series of the instant queries, shown as a table (one point each).
    pub table: Arc<ChartData>,
    /// Per panel query, in order: how it went (its series moved into `chart` or `table`), or
    /// `None` when it was empty or disabled.
    pub queries: Vec<Option<Result<QueryRun, SourceError>>>,
    /// Per panel query: what the query inspector shows.
    pub inspections: Vec<Option<QueryInspection>>,
    /// The first histogram of the range queries, ready to draw, when the chart is a heatmap.
    pub heatmap: Option<Arc<HeatmapView>>,
}

impl MetricsOutcome {
    /// What the metrics panel draws of this outcome.
    pub fn shown(&self) -> MetricsShown<'_> {
        MetricsShown {
            chart: &self.chart,
            table: &self.table,
            queries: self
                .queries
                .iter()
                .map(|q| q.as_ref().map(Result::as_ref))
                .collect(),
            inspections: self.inspections.iter().map(Option::as_ref).collect(),
            heatmap: self.heatmap.as_deref(),
        }
    }

    /// The first query that ran, as a single result: its run, or its error.
    pub fn first(&self) -> Option<Result<&QueryRun, &SourceError>> {
        self.queries.iter().flatten().next().map(Result::as_ref)
    }
}

/// A log query's rows and the range it covered.
#[derive(Clone)]
pub struct LogsOutcome {
    /// The volume histogram as the server counted it over the whole range (Loki), or why it
    /// could not (the panel then counts the loaded lines); `None` for the Local source.
    pub volume: Option<Result<Arc<crate::analysis::log_volume::LogVolume>, String>>,
    pub batch: Arc<LogBatch>,
    /// Unix seconds.
    pub start: f64,
    pub end: f64,
}
