//! Where a link inside the app leads: the panel a trace, a span's logs or an SLO's errors
//! open in, found or added, and the query that fills it.

use super::SignalscopeApp;
use super::panel_state::PanelData;
use crate::analysis::AnalysedTrace;
use crate::analysis::logql_edit::LogFilter;
use crate::analysis::trace_link::TraceLinkPattern;
use crate::model::{SpanId, TimeRange, TraceId};
use crate::sources::SourceError;
use crate::workspace::{
    self, ConnectionId, Link, LinkTarget, LogsFocus, MetricsPanel, Panel, PanelId, PanelKind,
    Signal, SourceKind, TracesPanel,
};
use std::sync::Arc;

/// OTLP's lowest error severity number: a link to errors shows lines from here up.
const ERROR_SEVERITY: u8 = 17;

/// What following a link may change, kept so Back can put it back as it was shown: the
/// panels and their queries, the time range, and each panel's result and open trace.
pub(super) struct Place {
    panels: Vec<Panel>,
    layout: workspace::Layout,
    range: TimeRange,
    shown: Vec<ShownPanel>,
}

/// A panel's result and open trace, as a place showed them.
type ShownPanel = (
    PanelId,
    Option<Result<PanelData, SourceError>>,
    Option<Arc<AnalysedTrace>>,
);

/// A chart's title from its queries.
fn link_title(queries: &[String]) -> String {
    Link::new(LinkTarget::Metrics {
        queries: queries.to_vec(),
    })
    .label()
}

/// TraceQL for a service's traces, slower than a bound or failing if asked.
fn tempo_search(service: &str, min_duration_ms: Option<f64>, errors_only: bool) -> String {
    let mut conditions = vec![format!(
        "resource.service.name = {}",
        crate::analysis::promql_completion::quoted(service)
    )];
    if let Some(ms) = min_duration_ms.filter(|ms| *ms > 0.0) {
        conditions.push(format!("duration >= {}ms", ms.floor()));
    }
    if errors_only {
        conditions.push("status = error".to_owned());
    }
    format!("{{ {} }}", conditions.join(" && "))
}

impl SignalscopeApp {
    /// Adds a metrics panel charting an SLO's error ratio over 5-minute windows.
    pub(super) fn open_slo_error_chart(&mut self, slo: PanelId) {
        let Some((connection, def)) = self.workspace.panels.iter().find_map(|p| match &p.kind {
            PanelKind::Slo(spec) if p.id == slo => Some((spec.connection, spec.definition.clone())),
            _ => None,
        }) else {
            return;
        };
        let query = crate::slo::queries::error_ratio_query(
            &def,
            300.0,
            &crate::slo::recording_rules::RecordedRules::none(),
        );
        let mut panel = MetricsPanel::new(connection, &query);
        panel.chart.unit = workspace::Unit::PercentUnit;
        let id = self.workspace.next_panel_id();
        self.workspace.panels.push(Panel {
            id,
            title: format!("{} error ratio (5m)", def.name),
            kind: PanelKind::Metrics(panel),
        });
        self.run_query(id);
        self.scroll_to_panel = Some(id);
    }

    /// Follows a link (clicked in panel `from`, if any): remembers where the user is (for
    /// Back), then opens the target.
    pub(super) fn follow(&mut self, link: Link, from: Option<PanelId>) {
        let here = self.place();
        self.history.go(here, link.label());
        self.resolve(link, from);
    }

    /// Opens `trace_id` in `panel` itself (not where a link would go) in its Compare view, to
    /// set against the trace open there; Back returns to that trace as it was shown.
    pub(super) fn compare_with_open(&mut self, panel: PanelId, trace_id: TraceId) {
        let here = self.place();
        let link = Link::new(LinkTarget::Trace {
            trace_id,
            span: None,
        });
        self.history.go(here, format!("Diff: {}", link.label()));
        if let Some(PanelKind::Traces(spec)) = self.workspace.panel_mut(panel).map(|p| &mut p.kind)
        {
            spec.view = crate::workspace::TraceView::Compare;
        }
        self.show_trace(panel, trace_id, None);
    }

    /// Returns to the place before the last link.
    pub(super) fn go_back(&mut self) {
        let here = self.place();
        if let Some(place) = self.history.back(here) {
            self.restore(place);
        }
    }

    pub(super) fn go_forward(&mut self) {
        let here = self.place();
        if let Some(place) = self.history.forward(here) {
            self.restore(place);
        }
    }

    /// What a link may change, as it is now.
    fn place(&self) -> Place {
        Place {
            panels: self.workspace.panels.clone(),
            layout: self.workspace.layout.clone(),
            range: self.workspace.time.range,
            shown: self
                .panels
                .iter()
                .map(|(id, s)| (*id, s.last.clone(), s.open_trace.clone()))
                .collect(),
        }
    }

    /// Puts a remembered place back as it was shown, without asking any server again.
    fn restore(&mut self, place: Place) {
        self.workspace.panels = place.panels;
        self.workspace.layout = place.layout;
        self.workspace.time.range = place.range;
        self.panels.clear();
        let panels = &self.workspace.panels;
        self.live.retain(|id, _| panels.iter().any(|p| p.id == *id));
        for (id, last, open_trace) in place.shown {
            let state = self.panels.entry(id).or_default();
            state.last = last;
            state.open_trace = open_trace;
        }
        // A panel that had nothing yet (its query was in flight) asks again.
        let unanswered: Vec<PanelId> = self
            .workspace
            .panels
            .iter()
            .map(|p| p.id)
            .filter(|id| self.panels.get(id).is_none_or(|s| s.last.is_none()))
            .collect();
        for id in unanswered {
            self.run_query(id);
        }
    }

    /// Opens a link's target in the panel that shows that signal (found or added, beside
    /// `from` if the user chose so), on the link's connection when it names one, over the
    /// link's range when it has one: for every panel, or for the target alone.
    fn resolve(&mut self, link: Link, from: Option<PanelId>) {
        let opening = self.workspace.links;
        let signal = match &link.to {
            LinkTarget::Logs(_) => Signal::Logs,
            LinkTarget::Trace { .. } | LinkTarget::TraceSearch { .. } => Signal::Traces,
            LinkTarget::Metrics { .. } | LinkTarget::ServiceMetrics { .. } => Signal::Metrics,
        };
        let target = self.link_panel(signal, from.filter(|_| opening.beside));
        let range_changed = match link.range {
            Some((start, end)) => {
                let range = TimeRange::Absolute {
                    from: start,
                    to: end,
                };
                if opening.sync_time {
                    self.workspace.layout.own_range.remove(&target);
                    let changed = self.workspace.time.range != range;
                    self.workspace.time.range = range;
                    changed
                } else {
                    self.workspace.layout.own_range.insert(target, range);
                    false
                }
            }
            None => false,
        };
        let connection = link
            .connection
            .as_deref()
            .and_then(|name| self.named_connection(name, signal));
        if let Some(c) = connection
            && let Some(p) = self.workspace.panel_mut(target)
        {
            p.kind.set_connection(Some(c));
        }
        match link.to {
            LinkTarget::Logs(focus) => self.open_logs(target, &focus),
            LinkTarget::Trace { trace_id, span } => self.show_trace(target, trace_id, span),
            LinkTarget::TraceSearch {
                service,
                min_duration_ms,
                errors_only,
            } => self.open_trace_search(target, &service, min_duration_ms, errors_only),
            LinkTarget::Metrics { queries } => {
                self.set_metrics(target, &link_title(&queries), queries)
            }
            LinkTarget::ServiceMetrics { service } => {
                let queries = self.workspace.correlations.service_metrics(&service);
                self.set_metrics(target, &format!("{service}: rate, errors, p95"), queries)
            }
        }
        // Time sync: every panel shows the range the link opened.
        if range_changed {
            let others: Vec<PanelId> = self
                .workspace
                .panels
                .iter()
                .map(|p| p.id)
                .filter(|id| *id != target)
                .collect();
            for id in others {
                self.run_query(id);
            }
        }
        self.scroll_to_panel = Some(target);
    }

    /// The panel a link to `signal` opens in. Beside `from` (when given): the panel already
    /// beside it if it shows that signal, else a new one placed there; otherwise the first
    /// panel of that kind (a new one if none). A chart link always gets a new panel.
    fn link_panel(&mut self, signal: Signal, from: Option<PanelId>) -> PanelId {
        let shows = |kind: &PanelKind| match signal {
            Signal::Logs => matches!(kind, PanelKind::Logs(_)),
            Signal::Traces => matches!(kind, PanelKind::Traces(_)),
            Signal::Metrics => matches!(kind, PanelKind::Metrics(_)),
        };
        let panels = &self.workspace.panels;
        let layout = &self.workspace.layout;
        if let Some(at) = from.and_then(|f| panels.iter().position(|p| p.id == f)) {
            if let Some(next) = panels.get(at + 1)
                && layout.beside.contains(&next.id)
                && shows(&next.kind)
                && signal != Signal::Metrics
            {
                return next.id;
            }
            let paired = layout.beside.contains(&panels[at].id)
                || panels
                    .get(at + 1)
                    .is_some_and(|n| layout.beside.contains(&n.id));
            if !paired {
                let panel = self.new_panel(signal);
                let id = panel.id;
                self.workspace.panels.insert(at + 1, panel);
                self.workspace.layout.beside.insert(id);
                return id;
            }
        }
        if signal != Signal::Metrics
            && let Some(p) = self.workspace.panels.iter().find(|p| shows(&p.kind))
        {
            return p.id;
        }
        let panel = self.new_panel(signal);
        let id = panel.id;
        self.workspace.panels.push(panel);
        id
    }

    /// A panel for `signal` on the connection the workspace's first panel of that kind reads
    /// (else the first connection that serves it); not yet in the workspace.
    fn new_panel(&self, signal: Signal) -> Panel {
        let existing = self
            .workspace
            .panels
            .iter()
            .find_map(|p| match (&p.kind, signal) {
                (PanelKind::Logs(l), Signal::Logs) => Some(l.connection),
                (PanelKind::Traces(t), Signal::Traces) => Some(t.connection),
                (PanelKind::Metrics(m), Signal::Metrics) => Some(m.connection),
                _ => None,
            });
        let connection = existing.flatten().or_else(|| {
            self.workspace
                .connections
                .iter()
                .find(|c| c.kind.serves(signal))
                .map(|c| c.id)
        });
        let (title, kind) = match signal {
            Signal::Logs => (
                "Logs",
                PanelKind::Logs(workspace::LogsPanel {
                    connection,
                    ..workspace::LogsPanel::default()
                }),
            ),
            Signal::Traces => (
                "Traces",
                PanelKind::Traces(TracesPanel {
                    connection,
                    ..TracesPanel::default()
                }),
            ),
            Signal::Metrics => (
                "Metrics",
                PanelKind::Metrics(MetricsPanel::new(connection, "")),
            ),
        };
        Panel {
            id: self.workspace.next_panel_id(),
            title: title.to_owned(),
            kind,
        }
    }

    /// The connection called `name` that serves `signal`; a notice when there is none.
    fn named_connection(&mut self, name: &str, signal: Signal) -> Option<ConnectionId> {
        let found = self
            .workspace
            .connections
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name) && c.kind.serves(signal))
            .map(|c| c.id);
        if found.is_none() {
            self.notify(
                format!("The link names connection “{name}”, which this workspace does not have; using the panel's own"),
                true,
            );
        }
        found
    }

    /// Points a logs panel at what a link focuses on, and runs it.
    fn open_logs(&mut self, id: PanelId, focus: &LogsFocus) {
        let Some(index) = self.workspace.panels.iter().position(|p| p.id == id) else {
            return;
        };
        let on_loki = self.panel_on(index, SourceKind::Loki);
        let logql = self.workspace.correlations.logql(focus);
        let panel = &mut self.workspace.panels[index];
        if let PanelKind::Logs(spec) = &mut panel.kind {
            if on_loki {
                spec.query = logql;
            }
            spec.service = focus.service().unwrap_or_default().to_owned();
            spec.min_severity = if focus.errors_only { ERROR_SEVERITY } else { 0 };
            spec.trace_id = focus.trace_id.map(|t| t.to_string()).unwrap_or_default();
            spec.text.clear();
        }
        self.run_query(id);
    }

    /// Points a traces panel at a service's traces (slow or failing ones if asked).
    fn open_trace_search(
        &mut self,
        id: PanelId,
        service: &str,
        min_duration_ms: Option<f64>,
        errors_only: bool,
    ) {
        let on_tempo = self
            .workspace
            .panel_connection(id)
            .is_some_and(|c| c.kind == SourceKind::Tempo);
        if let Some(panel) = self.workspace.panel_mut(id)
            && let PanelKind::Traces(spec) = &mut panel.kind
        {
            spec.service = service.to_owned();
            spec.operation.clear();
            spec.attribute.clear();
            spec.min_duration_ms = min_duration_ms.unwrap_or(0.0);
            spec.errors_only = errors_only;
            if on_tempo {
                spec.traceql = tempo_search(service, min_duration_ms, errors_only);
            }
        }
        self.run_query(id);
    }

    /// Makes a (new) metrics panel chart `queries`, and runs it.
    fn set_metrics(&mut self, id: PanelId, title: &str, queries: Vec<String>) {
        if let Some(panel) = self.workspace.panel_mut(id) {
            panel.title = title.to_owned();
            if let PanelKind::Metrics(spec) = &mut panel.kind {
                spec.queries = queries
                    .iter()
                    .map(|q| workspace::MetricQuery::new(q))
                    .collect();
            }
        }
        self.run_query(id);
    }

    /// Opens a trace in a traces panel, fetched from that panel's connection: Jaeger, Tempo
    /// or the Local store; a span, if given, is selected and scrolled to once it is open.
    fn show_trace(&mut self, panel: PanelId, trace_id: TraceId, span: Option<SpanId>) {
        let conn = self.workspace.panel_connection(panel).cloned();
        let Some(conn) = conn else {
            self.notify("Choose a connection for the traces panel first", true);
            return;
        };
        let store = self.local.as_ref().map(|l| l.store.clone());
        let waker = self.waker();
        let job = self.runtime.spawn(waker, move |progress| {
            super::trace_fetch::fetch_trace(conn, store, trace_id, progress)
        });
        let state = self.panels.entry(panel).or_default();
        state.trace_job = Some(super::panel_state::TraceJob { trace_id, job });
        state.focus = span.map(|s| (trace_id, s));
        // The trace takes the place of a service graph of the list.
        state.results_graph = None;
        state.results_graph_job = None;
    }

    /// Starts tailing a Loki panel's query live (its loaded lines give way to the tail's).
    pub(super) fn start_live(&mut self, id: PanelId) {
        let Some(conn) = self.workspace.panel_connection(id).cloned() else {
            return;
        };
        let Some(PanelKind::Logs(spec)) = self.workspace.panel(id).map(|p| &p.kind) else {
            return;
        };
        let pattern = TraceLinkPattern::configured(&self.workspace.correlations.trace_id_pattern)
            .unwrap_or_default();
        match super::live_tail::LiveTail::start(self.runtime.handle(), &conn, &spec.query, pattern)
        {
            Ok(tail) => {
                self.live.insert(id, tail);
                if let Some(state) = self.panels.get_mut(&id) {
                    state.job = None;
                }
            }
            Err(e) => self.notify(format!("Could not start the live tail: {e}"), true),
        }
    }

    /// Moves the live tails' new lines into their panels, and keeps frames coming while any
    /// tail runs.
    pub(super) fn poll_live(&mut self, ctx: &egui::Context) {
        if self.live.is_empty() {
            return;
        }
        let now = std::time::Instant::now();
        let wall = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
        for (id, tail) in &mut self.live {
            if let Some(batch) = tail.poll(now) {
                let start = batch.time_ns.iter().min().map_or(wall, |&t| t as f64 / 1e9);
                self.panels.entry(*id).or_default().last =
                    Some(Ok(PanelData::Logs(super::panel_state::LogsOutcome {
                        volume: None,
                        batch,
                        start,
                        end: wall,
                    })));
            }
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(250));
    }

    /// Adds a label or field filter to a logs panel and runs it: into the LogQL on Loki; as
    /// the service filter on the Local source (the only label it filters by).
    pub(super) fn add_log_filter(&mut self, id: PanelId, filter: &LogFilter) {
        let on_loki = self
            .workspace
            .panel_connection(id)
            .is_some_and(|c| c.kind == SourceKind::Loki);
        let Some(PanelKind::Logs(spec)) = self.workspace.panel_mut(id).map(|p| &mut p.kind) else {
            return;
        };
        if on_loki {
            spec.query = filter.apply(&spec.query);
        } else if filter.stage == crate::analysis::logql_edit::FilterStage::Selector
            && filter.name == workspace::correlation::SERVICE_LABEL
            && !filter.exclude
        {
            spec.service = filter.value.clone();
        } else {
            self.notify(
                "The Local source filters logs by service, level, text and trace only",
                true,
            );
            return;
        }
        self.run_query(id);
    }

    /// The link that reproduces a panel's view: its query (or open trace), connection and
    /// the range on show, made absolute.
    pub(super) fn panel_link(&self, id: PanelId) -> Option<Link> {
        let panel = self.workspace.panel(id)?;
        let connection = self.workspace.panel_connection(id);
        let on_loki = connection.is_some_and(|c| c.kind == SourceKind::Loki);
        let to = match &panel.kind {
            PanelKind::Metrics(spec) => LinkTarget::Metrics {
                queries: spec
                    .queries
                    .iter()
                    .filter(|q| !q.disabled && !q.expr.trim().is_empty())
                    .map(|q| q.expr.clone())
                    .collect(),
            },
            PanelKind::Logs(spec) => LinkTarget::Logs(LogsFocus {
                labels: (!spec.service.is_empty())
                    .then(|| {
                        (
                            workspace::correlation::SERVICE_LABEL.to_owned(),
                            spec.service.clone(),
                        )
                    })
                    .into_iter()
                    .collect(),
                errors_only: spec.min_severity >= ERROR_SEVERITY,
                trace_id: TraceId::parse_hex(&spec.trace_id),
                span_id: None,
                logql: on_loki.then(|| spec.query.clone()),
            }),
            PanelKind::Traces(spec) => {
                match self.panels.get(&id).and_then(|s| s.open_trace.as_ref()) {
                    Some(trace) => LinkTarget::Trace {
                        trace_id: trace.trace.trace_id,
                        span: None,
                    },
                    None => LinkTarget::TraceSearch {
                        service: spec.service.clone(),
                        min_duration_ms: (spec.min_duration_ms > 0.0)
                            .then_some(spec.min_duration_ms),
                        errors_only: spec.errors_only,
                    },
                }
            }
            PanelKind::Slo(_) | PanelKind::SloOverview(_) => return None,
        };
        if matches!(&to, LinkTarget::Metrics { queries } if queries.is_empty()) {
            return None;
        }
        let (from, to_time) = self.workspace.time.range.resolve(chrono::Utc::now());
        Some(Link {
            to,
            connection: connection.map(|c| c.name.clone()),
            range: Some((from, to_time)),
        })
    }

    /// Shows a trace the app already holds (opened from a file, or given by a test) in the
    /// first traces panel; returns that panel.
    pub fn open_trace_value(&mut self, trace: crate::model::Trace) -> PanelId {
        let panel = self.traces_panel();
        let waker = self.waker();
        let trace_id = trace.trace_id;
        let job = self.runtime.spawn(waker, move |progress| async move {
            progress.set_items(trace.spans.len() as u64);
            tokio::task::spawn_blocking(move || AnalysedTrace::new(trace))
                .await
                .map_err(|e| SourceError::Config(format!("analysing the trace stopped: {e}")))
        });
        let state = self.panels.entry(panel).or_default();
        state.trace_job = Some(super::panel_state::TraceJob { trace_id, job });
        panel
    }

    /// Whether the panel at `index` reads a connection of `kind`.
    fn panel_on(&self, index: usize, kind: SourceKind) -> bool {
        self.workspace
            .panel_connection(self.workspace.panels[index].id)
            .is_some_and(|c| c.kind == kind)
    }

    /// The first traces panel, added (on the Local connection if any) when there is none.
    pub(super) fn traces_panel(&mut self) -> PanelId {
        if let Some(p) = self
            .workspace
            .panels
            .iter()
            .find(|p| matches!(p.kind, PanelKind::Traces(_)))
        {
            return p.id;
        }
        let id = self.workspace.next_panel_id();
        let connection = self
            .workspace
            .connections
            .iter()
            .find(|c| c.kind == SourceKind::Local)
            .map(|c| c.id);
        self.workspace.panels.push(Panel {
            id,
            title: "Traces".into(),
            kind: PanelKind::Traces(TracesPanel {
                connection,
                ..TracesPanel::default()
            }),
        });
        id
    }
}
