//! Where a link inside the app leads: the panel a trace, a span's logs or an SLO's errors
//! open in, found or added, and the query that fills it.

use super::SignalscopeApp;
use crate::analysis::AnalysedTrace;
use crate::model::TraceId;
use crate::sources::SourceError;
use crate::sources::loki::link_queries;
use crate::workspace::{self, MetricsPanel, Panel, PanelId, PanelKind, SourceKind, TracesPanel};

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

    /// Points the first logs panel (a new one if none) at a service's errors, and runs it.
    pub(super) fn show_service_error_logs(&mut self, service: &str) {
        let index = self.logs_panel_index();
        let on_loki = self.panel_on(index, SourceKind::Loki);
        let panel = &mut self.workspace.panels[index];
        if let PanelKind::Logs(spec) = &mut panel.kind {
            if on_loki {
                spec.query = link_queries::service_errors(service);
            }
            spec.service = service.to_owned();
            spec.min_severity = 17;
            spec.trace_id.clear();
            spec.text.clear();
        }
        let id = panel.id;
        self.run_query(id);
        self.scroll_to_panel = Some(id);
    }

    pub(super) fn show_span_logs(&mut self, trace_id: TraceId, from_ns: u64, to_ns: u64) {
        let from = chrono::DateTime::from_timestamp_nanos(from_ns as i64);
        let to = chrono::DateTime::from_timestamp_nanos(to_ns as i64);
        let index = self.logs_panel_index();
        let on_loki = self.panel_on(index, SourceKind::Loki);
        let panel = &mut self.workspace.panels[index];
        if let PanelKind::Logs(spec) = &mut panel.kind {
            if on_loki {
                spec.query = link_queries::trace_lines(trace_id);
            }
            spec.trace_id = trace_id.to_string();
            spec.min_severity = 0;
            spec.service.clear();
            spec.text.clear();
        }
        let id = panel.id;
        self.workspace.time.range = crate::model::TimeRange::Absolute { from, to };
        self.run_query(id);
    }

    /// Opens a trace in the first traces panel (a new one on the Local connection if there
    /// is none), fetched from that panel's connection: Jaeger, Tempo or the Local store.
    pub(super) fn show_trace(&mut self, trace_id: TraceId) {
        let panel = self.traces_panel();
        let conn = self.workspace.panel_connection(panel).cloned();
        let Some(conn) = conn else {
            self.notify("Choose a connection for the traces panel first", true);
            return;
        };
        let store = self.local.as_ref().map(|l| l.store.clone());
        let waker = self.waker();
        let job = self.runtime.spawn(waker, move |_| {
            super::trace_fetch::fetch_trace(conn, store, trace_id)
        });
        self.panels.entry(panel).or_default().trace_job = Some(job);
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
