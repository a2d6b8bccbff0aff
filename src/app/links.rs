//! Where a link inside the app leads: the panel a trace, a span's logs or an SLO's errors
//! open in, found or added, and the query that fills it.

use super::SignalscopeApp;
use super::panel_state::PanelData;
use crate::analysis::AnalysedTrace;
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
        "resource.service.name = \"{}\"",
        workspace::correlation::escape_string(service)
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

    /// Follows a link: remembers where the user is (for Back), then opens the target.
    pub(super) fn follow(&mut self, link: Link) {
        let here = self.place();
        self.history.go(here, link.label());
        self.resolve(link);
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
        self.workspace.time.range = place.range;
        self.panels.clear();
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

    /// Opens a link's target in the panel that shows that signal (found or added), on the
    /// link's connection when it names one, over the link's range when it has one.
    fn resolve(&mut self, link: Link) {
        let range_changed = match link.range {
            Some((from, to)) => {
                let range = TimeRange::Absolute { from, to };
                let changed = self.workspace.time.range != range;
                self.workspace.time.range = range;
                changed
            }
            None => false,
        };
        let signal = match &link.to {
            LinkTarget::Logs(_) => Signal::Logs,
            LinkTarget::Trace { .. } | LinkTarget::TraceSearch { .. } => Signal::Traces,
            LinkTarget::Metrics { .. } | LinkTarget::ServiceMetrics { .. } => Signal::Metrics,
        };
        let connection = link
            .connection
            .as_deref()
            .and_then(|name| self.named_connection(name, signal));
        let target = match link.to {
            LinkTarget::Logs(focus) => self.open_logs(&focus, connection),
            LinkTarget::Trace { trace_id, span } => self.show_trace(trace_id, span, connection),
            LinkTarget::TraceSearch {
                service,
                min_duration_ms,
                errors_only,
            } => self.open_trace_search(&service, min_duration_ms, errors_only, connection),
            LinkTarget::Metrics { queries } => {
                self.open_metrics(&link_title(&queries), queries, connection)
            }
            LinkTarget::ServiceMetrics { service } => {
                let queries = self.workspace.correlations.service_metrics(&service);
                self.open_metrics(
                    &format!("{service}: rate, errors, p95"),
                    queries,
                    connection,
                )
            }
        };
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

    /// Points the first logs panel (a new one if none) at what a link focuses on, and runs it.
    fn open_logs(&mut self, focus: &LogsFocus, connection: Option<ConnectionId>) -> PanelId {
        let index = self.logs_panel_index();
        if connection.is_some() {
            self.workspace.panels[index].kind.set_connection(connection);
        }
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
        let id = panel.id;
        self.run_query(id);
        id
    }

    /// Points the first traces panel at a service's traces (slow or failing ones if asked).
    fn open_trace_search(
        &mut self,
        service: &str,
        min_duration_ms: Option<f64>,
        errors_only: bool,
        connection: Option<ConnectionId>,
    ) -> PanelId {
        let id = self.traces_panel();
        let on_tempo = self
            .workspace
            .panel_connection(id)
            .is_some_and(|c| c.kind == SourceKind::Tempo);
        if let Some(panel) = self.workspace.panels.iter_mut().find(|p| p.id == id) {
            if connection.is_some() {
                panel.kind.set_connection(connection);
            }
            if let PanelKind::Traces(spec) = &mut panel.kind {
                spec.service = service.to_owned();
                spec.operation.clear();
                spec.attribute.clear();
                spec.min_duration_ms = min_duration_ms.unwrap_or(0.0);
                spec.errors_only = errors_only;
                if on_tempo {
                    spec.traceql = tempo_search(service, min_duration_ms, errors_only);
                }
            }
        }
        self.run_query(id);
        id
    }

    /// Adds a metrics panel charting `queries` on `connection` (else the first metrics
    /// panel's, else the first connection that serves metrics).
    fn open_metrics(
        &mut self,
        title: &str,
        queries: Vec<String>,
        connection: Option<ConnectionId>,
    ) -> PanelId {
        let connection = connection
            .or_else(|| {
                self.workspace.panels.iter().find_map(|p| match &p.kind {
                    PanelKind::Metrics(m) => m.connection,
                    _ => None,
                })
            })
            .or_else(|| {
                self.workspace
                    .connections
                    .iter()
                    .find(|c| c.kind.serves(Signal::Metrics))
                    .map(|c| c.id)
            });
        let mut panel = MetricsPanel::new(connection, "");
        panel.queries = queries
            .iter()
            .map(|q| workspace::MetricQuery::new(q))
            .collect();
        let id = self.workspace.next_panel_id();
        self.workspace.panels.push(Panel {
            id,
            title: title.to_owned(),
            kind: PanelKind::Metrics(panel),
        });
        self.run_query(id);
        id
    }

    /// Opens a trace in the first traces panel (a new one on the Local connection if there
    /// is none), fetched from that panel's connection: Jaeger, Tempo or the Local store; a
    /// span, if given, is selected and scrolled to once the trace is open.
    fn show_trace(
        &mut self,
        trace_id: TraceId,
        span: Option<SpanId>,
        connection: Option<ConnectionId>,
    ) -> PanelId {
        let panel = self.traces_panel();
        if connection.is_some()
            && let Some(p) = self.workspace.panels.iter_mut().find(|p| p.id == panel)
        {
            p.kind.set_connection(connection);
        }
        let conn = self.workspace.panel_connection(panel).cloned();
        let Some(conn) = conn else {
            self.notify("Choose a connection for the traces panel first", true);
            return panel;
        };
        let store = self.local.as_ref().map(|l| l.store.clone());
        let waker = self.waker();
        let job = self.runtime.spawn(waker, move |_| {
            super::trace_fetch::fetch_trace(conn, store, trace_id)
        });
        let state = self.panels.entry(panel).or_default();
        state.trace_job = Some(job);
        state.focus = span.map(|s| (trace_id, s));
        panel
    }

    /// The link that reproduces a panel's view: its query (or open trace), connection and
    /// the range on show, made absolute.
    pub(super) fn panel_link(&self, id: PanelId) -> Option<Link> {
        let panel = self.workspace.panels.iter().find(|p| p.id == id)?;
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
        let job = self.runtime.spawn(waker, move |_| async move {
            tokio::task::spawn_blocking(move || AnalysedTrace::new(trace))
                .await
                .map_err(|e| SourceError::Config(format!("analysing the trace stopped: {e}")))
        });
        self.panels.entry(panel).or_default().trace_job = Some(job);
        panel
    }

    /// Whether the panel at `index` reads a connection of `kind`.
    fn panel_on(&self, index: usize, kind: SourceKind) -> bool {
        self.workspace
            .panel_connection(self.workspace.panels[index].id)
            .is_some_and(|c| c.kind == kind)
    }

    /// Where the first logs panel is in the workspace, added (on the Local connection if any)
    /// when there is none.
    pub(super) fn logs_panel_index(&mut self) -> usize {
        if let Some(i) = self
            .workspace
            .panels
            .iter()
            .position(|p| matches!(p.kind, PanelKind::Logs(_)))
        {
            return i;
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
            title: "Logs".into(),
            kind: PanelKind::Logs(workspace::LogsPanel {
                connection,
                ..workspace::LogsPanel::default()
            }),
        });
        self.workspace.panels.len() - 1
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
