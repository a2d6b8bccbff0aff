//! What the UI asks the app to do. Panels return these; the app applies them once per frame.

use crate::model::{TimeRange, TimeZoneChoice};
use crate::workspace::{Connection, ConnectionId, Link, PanelId};
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
    /// Stop fetching or analysing the trace a traces panel is opening.
    CancelTraceOpening(PanelId),
    /// Fetch a traces panel's listed traces whole and draw the service graph of them all.
    BuildResultsGraph(PanelId),
    CloseResultsGraph(PanelId),
    AddMetricsPanel,
    AddSloPanel,
    AddSloOverview,
    /// Ask for a Sloth or OpenSLO YAML file and add a panel per SLO in it.
    ImportSlos,
    /// Add a metrics panel on an SLO panel's error ratio over time.
    OpenSloErrorChart(PanelId),
    /// Fetch the names a panel's PromQL completion needs (metric names, label names or values)
    /// from its connection into the connection's completion cache.
    FetchCompletions {
        panel: PanelId,
        context: crate::analysis::promql_completion::CompletionContext,
    },
    /// Bring a panel into view (from the SLO overview).
    ScrollToPanel(PanelId),
    /// Show one panel alone at the panels area's full height (Grafana's "View"), or, with
    /// `None`, every panel again.
    ViewPanel(Option<PanelId>),
    /// Go where a link leads (another signal, a trace, a search), remembered for Back.
    Follow(Link),
    /// A link clicked inside a panel (the app adds which, to open the target beside it).
    FollowFrom(Link, PanelId),
    /// Open a listed trace in this traces panel's Compare view, against the trace open there
    /// (which the panel has pinned as baseline A): a *Diff* in its list, remembered for Back.
    CompareWithOpen {
        panel: PanelId,
        trace_id: crate::model::TraceId,
    },
    /// Add a label or field filter to a logs panel's query (a click in the line's details).
    AddLogFilter {
        panel: PanelId,
        filter: crate::analysis::logql_edit::LogFilter,
    },
    /// Show the lines around a line of a logs panel, in its stream (labels) or service.
    ShowLogContext {
        panel: PanelId,
        time_ns: u64,
        body: String,
        labels: Vec<(String, String)>,
    },
    /// Start, pause/resume or stop a Loki panel's live tail.
    StartLive(PanelId),
    PauseLive(PanelId, bool),
    StopLive(PanelId),
    /// Show a panel on the global range again.
    ClearOwnRange(PanelId),
    /// Back and Forward through the places links led to.
    Back,
    Forward,
    /// Copy the `signalscope://` link of a panel's view to the clipboard.
    CopyLink(PanelId),
    /// Open a pasted `signalscope://` link.
    OpenLinkText(String),
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
    /// Save the trace open in a traces panel as OTLP/JSON; with no path, ask where.
    SaveTrace {
        panel: PanelId,
        path: Option<PathBuf>,
    },
    /// Restart the OTLP receiver and demo with the workspace's local settings.
    RestartLocal,
    OpenWorkspace,
    /// Ask for a trace file (Jaeger JSON, OTLP/JSON or protobuf) and open it.
    OpenTraceFile,
    SaveWorkspaceAs,
}
