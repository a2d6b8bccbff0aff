//! Everything the user arranges, as one serde value saved as RON: connections (without
//! secrets), panels and their queries, and the time settings.

pub mod connection;
pub mod correlation;
pub mod file;
pub mod layout;
pub mod link;
pub mod logs_panel;
pub mod metrics_panel;
pub mod secret;
pub mod slo_panel;
pub mod traces_panel;

pub use connection::{
    Auth, Connection, ConnectionId, HeaderEntry, HeaderValue, Signal, SourceKind,
};
pub use correlation::{Correlations, LabelMapping};
pub use file::{WorkspaceError, default_path, load, parse, save_atomic, to_text};
pub use layout::{Layout, LinkOpening};
pub use link::{Link, LinkTarget, LogsFocus};
pub use logs_panel::LogsPanel;
pub use metrics_panel::{ChartKind, ChartOptions, MetricQuery, MetricsPanel, Unit};
pub use secret::Secret;
pub use slo_panel::{SloOverviewPanel, SloPanel, SloPreset, SloSort};
pub use traces_panel::{TraceView, TracesPanel};

use crate::model::{TimeRange, TimeZoneChoice};
use serde::{Deserialize, Serialize};

/// Queries kept per connection in the history.
pub const QUERY_HISTORY_LEN: usize = 50;

/// The file format version written by this build.
pub const FORMAT_VERSION: u32 = 1;

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct PanelId(pub u32);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workspace {
    /// Format version, so later builds can migrate older files.
    pub version: u32,
    pub connections: Vec<Connection>,
    pub panels: Vec<Panel>,
    pub time: TimeSettings,
    pub local: LocalSettings,
    /// Queries the user ran, most recent first, per connection.
    pub query_history: std::collections::BTreeMap<ConnectionId, Vec<String>>,
    /// How links find one signal from another (label mapping, trace-id pattern, templates).
    pub correlations: Correlations,
    /// Panels side by side and panels with their own range.
    pub layout: Layout,
    /// How links open (beside or in place; moving the global range or not).
    pub links: LinkOpening,
}

/// The embedded OTLP receiver and store, and the demo workload that feeds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocalSettings {
    /// OTLP/HTTP listen address; loopback unless the user says otherwise.
    pub otlp_http_listen: String,
    /// OTLP/gRPC listen address.
    pub otlp_grpc_listen: String,
    /// Run the built-in demo shop, which sends OTLP to the receiver.
    pub demo_workload: bool,
    /// Memory budget of the local store, in MiB.
    pub store_budget_mib: u32,
}

impl Default for LocalSettings {
    fn default() -> Self {
        Self {
            otlp_http_listen: "127.0.0.1:4318".into(),
            otlp_grpc_listen: "127.0.0.1:4317".into(),
            demo_workload: false,
            store_budget_mib: 512,
        }
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            connections: Vec::new(),
            panels: Vec::new(),
            time: TimeSettings::default(),
            local: LocalSettings::default(),
            query_history: Default::default(),
            correlations: Correlations::default(),
            layout: Layout::default(),
            links: LinkOpening::default(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeSettings {
    pub range: TimeRange,
    pub zone: TimeZoneChoice,
    /// Re-run every panel's query this often, in seconds; `None` is off.
    pub auto_refresh_secs: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub id: PanelId,
    pub title: String,
    pub kind: PanelKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PanelKind {
    Metrics(MetricsPanel),
    Logs(LogsPanel),
    Traces(TracesPanel),
    Slo(SloPanel),
    SloOverview(SloOverviewPanel),
}

impl PanelKind {
    pub fn connection(&self) -> Option<ConnectionId> {
        match self {
            Self::Metrics(p) => p.connection,
            Self::Logs(p) => p.connection,
            Self::Traces(p) => p.connection,
            Self::Slo(p) => p.connection,
            Self::SloOverview(_) => None,
        }
    }

    pub fn set_connection(&mut self, id: Option<ConnectionId>) {
        match self {
            Self::Metrics(p) => p.connection = id,
            Self::Logs(p) => p.connection = id,
            Self::Traces(p) => p.connection = id,
            Self::Slo(p) => p.connection = id,
            Self::SloOverview(_) => {}
        }
    }
}

impl Workspace {
    pub fn connection(&self, id: ConnectionId) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    pub fn panel(&self, id: PanelId) -> Option<&Panel> {
        self.panels.iter().find(|p| p.id == id)
    }

    pub fn panel_mut(&mut self, id: PanelId) -> Option<&mut Panel> {
        self.panels.iter_mut().find(|p| p.id == id)
    }

    /// The connection a panel reads, if it has one that still exists.
    pub fn panel_connection(&self, panel: PanelId) -> Option<&Connection> {
        self.panel(panel)
            .and_then(|p| p.kind.connection())
            .and_then(|c| self.connection(c))
    }

    /// Puts `query` first in `connection`'s history (once), keeping the latest
    /// [`QUERY_HISTORY_LEN`].
    pub fn remember_query(&mut self, connection: ConnectionId, query: &str) {
        let query = query.trim();
        if query.is_empty() {
            return;
        }
        let history = self.query_history.entry(connection).or_default();
        history.retain(|q| q != query);
        history.insert(0, query.to_owned());
        history.truncate(QUERY_HISTORY_LEN);
    }

    pub fn next_connection_id(&self) -> ConnectionId {
        ConnectionId(
            self.connections
                .iter()
                .map(|c| c.id.0 + 1)
                .max()
                .unwrap_or(1),
        )
    }

    pub fn next_panel_id(&self) -> PanelId {
        PanelId(self.panels.iter().map(|p| p.id.0 + 1).max().unwrap_or(1))
    }

    /// The demo workspace: the Local source with request and error rates per service, a log
    /// list of warnings and errors, and a trace list.
    pub fn demo() -> Self {
        let mut ws = Self::default();
        let local = ConnectionId(1);
        ws.connections.push(Connection::local(local));
        // Short enough that a newcomer's first minute fills a visible part of each chart.
        ws.time.range = crate::model::TimeRange::Relative { seconds: 5 * 60 };
        ws.time.auto_refresh_secs = Some(10);
        ws.local.demo_workload = true;
        let metrics = |id: u32, title: &str, query: &str, unit: Unit| {
            let mut panel = MetricsPanel::new(Some(local), query);
            panel.queries[0].legend = "{{service_name}}".into();
            panel.chart.unit = unit;
            Panel {
                id: PanelId(id),
                title: title.to_owned(),
                kind: PanelKind::Metrics(panel),
            }
        };
        ws.panels.push(metrics(
            1,
            "Requests per second by service",
            "sum by (service_name) (rate(http_server_request_duration_count[1m]))",
            Unit::OpsPerSecond,
        ));
        ws.panels.push(metrics(
            2,
            "Error ratio by service (5xx)",
            "(sum by (service_name) (rate(http_server_request_duration_count{http_response_status_code=~\"5..\"}[1m])) or sum by (service_name) (rate(http_server_request_duration_count[1m])) * 0) / sum by (service_name) (rate(http_server_request_duration_count[1m]))",
            Unit::PercentUnit,
        ));
        ws.panels.push(metrics(
            5,
            "p95 latency by service",
            "histogram_quantile(0.95, sum by (le, service_name) (rate(http_server_request_duration_bucket[1m])))",
            Unit::Seconds,
        ));
        ws.panels.push(Panel {
            id: PanelId(3),
            title: "Warnings and errors".to_owned(),
            kind: PanelKind::Logs(LogsPanel {
                connection: Some(local),
                min_severity: 13,
                ..LogsPanel::default()
            }),
        });
        ws.panels.push(Panel {
            id: PanelId(4),
            title: "Traces".to_owned(),
            kind: PanelKind::Traces(TracesPanel {
                connection: Some(local),
                ..TracesPanel::default()
            }),
        });
        ws.panels.push(Panel {
            id: PanelId(6),
            title: "SLO checkout availability".to_owned(),
            kind: PanelKind::Slo(SloPanel {
                connection: Some(local),
                definition: crate::slo::SloDefinition {
                    name: "checkout-availability".into(),
                    service: "checkout".into(),
                    sli: crate::slo::Sli::BadOverTotal {
                        // `or … * 0`: before any 5xx has happened the error count is zero,
                        // not missing.
                        bad: "sum(rate(http_server_request_duration_count{service_name=\"checkout\",http_response_status_code=~\"5..\"}[{{.window}}])) or sum(rate(http_server_request_duration_count{service_name=\"checkout\"}[{{.window}}])) * 0".into(),
                        total: "sum(rate(http_server_request_duration_count{service_name=\"checkout\"}[{{.window}}]))".into(),
                    },
                    objective: 0.99,
                    window: crate::slo::SloWindow::DAYS_30,
                    labels: Default::default(),
                    description: "Checkout requests that do not fail with a 5xx.".into(),
                },
                preset: SloPreset::ForWindow,
            }),
        });
        ws
    }

    /// Adds a Prometheus connection (or reuses one with the same URL) and a metrics panel on it.
    pub fn add_prometheus_with_panel(&mut self, url: &str, query: &str) -> PanelId {
        let url = url.trim_end_matches('/');
        let conn_id = match self.connections.iter().find(|c| c.url == url) {
            Some(c) => c.id,
            None => {
                let id = self.next_connection_id();
                let name = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(|h| format!("Prometheus {h}")))
                    .unwrap_or_else(|| "Prometheus".to_owned());
                self.connections
                    .push(Connection::prometheus(id, &name, url));
                id
            }
        };
        let id = self.next_panel_id();
        self.panels.push(Panel {
            id,
            title: format!("Metrics {}", id.0),
            kind: PanelKind::Metrics(MetricsPanel::new(Some(conn_id), query)),
        });
        id
    }
}

#[cfg(test)]
mod history_tests {
    use super::*;

    #[test]
    fn history_is_per_connection_most_recent_first_without_repeats() {
        let mut ws = Workspace::default();
        let (a, b) = (ConnectionId(1), ConnectionId(2));
        ws.remember_query(a, "up");
        ws.remember_query(a, "rate(x[5m])");
        ws.remember_query(a, " up ");
        ws.remember_query(b, "sum(y)");
        ws.remember_query(b, "   ");
        assert_eq!(ws.query_history[&a], ["up", "rate(x[5m])"]);
        assert_eq!(ws.query_history[&b], ["sum(y)"]);
        for i in 0..100 {
            ws.remember_query(a, &format!("q{i}"));
        }
        assert_eq!(ws.query_history[&a].len(), QUERY_HISTORY_LEN);
        assert_eq!(ws.query_history[&a][0], "q99");
        let text = to_text(&ws);
        let back = parse(std::path::Path::new("w.ron"), &text).unwrap();
        assert_eq!(back.query_history, ws.query_history);
    }
}

#[cfg(test)]
mod demo_round_trip {
    use super::*;

    #[test]
    fn links_layout_and_correlations_read_back_as_written() {
        let mut ws = Workspace::demo();
        ws.links = LinkOpening {
            beside: true,
            sync_time: false,
        };
        ws.layout.beside.insert(PanelId(3));
        ws.layout
            .own_range
            .insert(PanelId(3), TimeRange::Relative { seconds: 600 });
        ws.correlations
            .label_map
            .push(LabelMapping::new("pod", "pod"));
        ws.correlations.span_logs = "{job=\"${service}\"}".into();
        let text = to_text(&ws);
        let back = parse(std::path::Path::new("w.ron"), &text).expect("parses");
        assert_eq!(back, ws);
        // A file from before these settings existed opens with the defaults.
        let old = parse(std::path::Path::new("old.ron"), "(version: 1)").expect("parses");
        assert_eq!(old.links, LinkOpening::default());
        assert_eq!(old.layout, Layout::default());
        assert_eq!(old.correlations, Correlations::default());
    }

    #[test]
    fn the_demo_workspace_reads_back_as_written() {
        let ws = Workspace::demo();
        let text = to_text(&ws);
        let back = parse(std::path::Path::new("demo.ron"), &text).expect("parses");
        assert_eq!(back, ws);
    }
}
