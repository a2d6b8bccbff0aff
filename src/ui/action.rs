//! What the UI asks the app to do. Panels return these; the app applies them once per frame.

use crate::model::{SpanId, TimeRange, TimeZoneChoice, TraceId};
use crate::workspace::{Connection, ConnectionId, PanelId};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Action {
    SetTimeRange(TimeRange),
    SetZone(TimeZoneChoice),
    SetAutoRefresh(Option<u32>),
    /// Re-run every panel's query now.
    RefreshAll,
    RunQuery(PanelId),
    CancelQuery(PanelId),
    AddMetricsPanel,
    AddSloPanel,
    AddSloOverview,
    /// Ask for a Sloth or OpenSLO YAML file and add a panel per SLO in it.
    ImportSlos,
    /// Add a metrics panel on an SLO panel's error ratio over time.
    OpenSloErrorChart(PanelId),
    /// Open the error logs of a service in the first logs panel.
    ShowServiceErrorLogs {
        service: String,
    },
    /// Fetch the names a panel's PromQL completion needs (metric names, label names or values)
    /// from its connection into the connection's completion cache.
    FetchCompletions {
        panel: PanelId,
        context: crate::analysis::promql_completion::CompletionContext,
    },
    /// Bring a panel into view (from the SLO overview).
    ScrollToPanel(PanelId),
    /// Open a trace of the Local source in the first traces panel (or a new one).
    ShowTrace(TraceId),
    /// Open the logs of a span: the first logs panel filtered to its trace over its time
    /// (with a margin), nanoseconds.
    ShowSpanLogs {
        trace_id: TraceId,
        span_id: SpanId,
        from_ns: u64,
        to_ns: u64,
    },
    RemovePanel(PanelId),
    /// Open the connection dialog on an existing connection, or on a new one.
    EditConnection(Option<ConnectionId>),
    SaveConnection(Connection),
    RemoveConnection(ConnectionId),
    /// Export a panel as PNG; with no path, ask where with a save dialog.
    ExportPng {
        panel: PanelId,
        path: Option<PathBuf>,
    },
    CopyCsv(PanelId),
    /// Restart the OTLP receiver and demo with the workspace's local settings.
    RestartLocal,
    OpenWorkspace,
    /// Ask for a trace file (Jaeger JSON, OTLP/JSON or protobuf) and open it.
    OpenTraceFile,
    SaveWorkspaceAs,
}
