//! What the UI asks the app to do. Panels return these; the app applies them once per frame.

use crate::model::{TimeRange, TimeZoneChoice, TraceId};
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
    /// Open a trace of the Local source in the first traces panel (or a new one).
    ShowTrace(TraceId),
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
    SaveWorkspaceAs,
}
