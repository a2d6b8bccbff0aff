//! Exporting a panel as PNG from the GUI: an owned snapshot of the panel as it is on screen,
//! re-rendered off-screen by `crate::render` at the panel's size and the screen's scale (the
//! path `signalscope render` takes, so both give the same picture), written in the background.

use super::panel_state::PanelState;
use crate::render::{PanelSnapshot, RenderOptions, export_png};
use crate::workspace::{PanelId, Workspace};
use std::path::PathBuf;

/// An export waiting for its panel to be drawn once (its size is the panel's on screen).
pub struct PanelExport {
    pub panel: PanelId,
    pub path: PathBuf,
}

impl PanelExport {
    pub fn new(panel: PanelId, path: PathBuf) -> Self {
        Self { panel, path }
    }
}

/// What the panel `id` shows now, owned; `None` when there is no such panel.
pub fn panel_snapshot(
    ws: &Workspace,
    state: Option<&PanelState>,
    id: PanelId,
) -> Option<PanelSnapshot> {
    let panel = ws.panel(id)?.clone();
    Some(PanelSnapshot {
        panel,
        data: state.and_then(|s| s.last.clone()),
        open_trace: state.and_then(|s| s.open_trace.clone()),
        hidden: state.map(|s| s.hidden_series.clone()).unwrap_or_default(),
        connections: ws.connections.clone(),
        range: ws.time.range.resolve(chrono::Utc::now()),
        zone: ws.time.zone,
    })
}

/// The render options that reproduce a panel drawn in `rect` on `ctx`'s screen.
pub fn screen_options(ctx: &egui::Context, rect: egui::Rect) -> RenderOptions {
    RenderOptions {
        width: rect.width(),
        height: rect.height(),
        pixels_per_point: ctx.pixels_per_point(),
        theme: ctx.theme().into(),
    }
}

/// Renders `snapshot` and writes it to `path`, off the async workers (rendering is CPU work
/// on a software rasterizer).
pub async fn write_export(
    snapshot: PanelSnapshot,
    options: RenderOptions,
    path: PathBuf,
) -> Result<PathBuf, String> {
    tokio::task::spawn_blocking(move || export_png(&snapshot, &options, &path).map(|()| path))
        .await
        .map_err(|e| format!("export stopped: {e}"))?
}
