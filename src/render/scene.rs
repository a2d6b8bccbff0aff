//! What a rendered panel image shows: a header (title, time range, time zone) above the panel
//! drawn by the same `*_panel_ui` function the GUI uses, from an owned copy of its data.

use crate::analysis::AnalysedTrace;
use crate::app::panel_state::PanelData;
use crate::model::TimeZoneChoice;
use crate::sources::SourceError;
use crate::ui::logs_panel::{LogsPanelView, logs_panel_ui};
use crate::ui::metrics_panel::{MetricsPanelView, metrics_panel_ui};
use crate::ui::slo_overview::slo_overview_ui;
use crate::ui::slo_panel::{SloPanelView, slo_panel_ui};
use crate::ui::traces_panel::{TracesPanelView, traces_panel_ui};
use crate::workspace::{Connection, Panel, PanelKind};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;

/// Everything one panel shows, owned, so it can be drawn away from the app (another thread,
/// another process).
#[derive(Clone)]
pub struct PanelSnapshot {
    pub panel: Panel,
    /// The panel's last result; `None` draws the panel as before its first run.
    pub data: Option<Result<PanelData, SourceError>>,
    /// The trace open in a traces panel.
    pub open_trace: Option<Arc<AnalysedTrace>>,
    /// Series the legend hides, by name.
    pub hidden: HashSet<String>,
    /// The workspace's connections, for the panel's connection picker.
    pub connections: Vec<Connection>,
    /// The time range the data covers and the zone times are shown in.
    pub range: (DateTime<Utc>, DateTime<Utc>),
    pub zone: TimeZoneChoice,
}

impl PanelSnapshot {
    /// The header's second line: `2026-11-24 07:53:09 to 2026-11-24 07:57:51 (UTC)`.
    pub fn range_label(&self) -> String {
        let (from, to) = self.range;
        let zone = match self.zone {
            TimeZoneChoice::Utc => "UTC".to_owned(),
            TimeZoneChoice::Local => format!("local time, UTC{}", self.zone.format_with(to, "%:z")),
        };
        format!(
            "{} to {} ({zone})",
            self.zone.format(from),
            self.zone.format(to)
        )
    }
}

/// Draws the header and the panel into `ui`, which is the whole image.
pub fn snapshot_ui(ui: &mut egui::Ui, snapshot: &mut PanelSnapshot) {
    let range_label = snapshot.range_label();
    let PanelSnapshot {
        panel,
        data,
        open_trace,
        hidden,
        connections,
        range: _,
        zone,
    } = snapshot;
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(&panel.title).heading().strong());
        ui.add_space(12.0);
        ui.label(egui::RichText::new(range_label).weak());
    });
    ui.separator();
    let zone = *zone;
    let data = &*data;
    let frame = egui::Frame::group(ui.style()).inner_margin(8.0);
    // The panel's actions (run, export…) have nowhere to go in an image.
    frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.set_height(ui.available_height());
        let last_err = match data {
            Some(Err(e)) => Some(e),
            _ => None,
        };
        match &mut panel.kind {
            PanelKind::Metrics(spec) => {
                let shown = match data {
                    Some(Ok(PanelData::Metrics(o))) => Some(Ok(o.shown())),
                    _ => last_err.map(Err),
                };
                metrics_panel_ui(
                    ui,
                    MetricsPanelView {
                        id: panel.id,
                        title: &panel.title,
                        spec,
                        connections,
                        loading: None,
                        last: shown,
                        zone,
                        hidden,
                        history: &[],
                        completion: None,
                        correlations: &crate::workspace::Correlations::default(),
                    },
                )
            }
            PanelKind::Logs(spec) => {
                ui.strong(&panel.title);
                logs_panel_ui(
                    ui,
                    LogsPanelView {
                        id: panel.id,
                        spec,
                        loading: None,
                        last: match data {
                            Some(Ok(PanelData::Logs(o))) => {
                                Some(Ok((&o.batch, (o.start, o.end), o.volume.as_ref())))
                            }
                            _ => last_err.map(Err),
                        },
                        zone,
                        connections,
                        history: &[],
                        completion: None,
                        live: None,
                    },
                )
            }
            PanelKind::Traces(spec) => {
                ui.strong(&panel.title);
                traces_panel_ui(
                    ui,
                    TracesPanelView {
                        id: panel.id,
                        spec,
                        loading: false,
                        last: match data {
                            Some(Ok(PanelData::Traces(t))) => Some(Ok(t)),
                            _ => last_err.map(Err),
                        },
                        open_trace: open_trace.as_ref(),
                        opening: None,
                        results_graph: None,
                        results_graph_progress: None,
                        zone,
                        connections,
                        focus: &mut None,
                        completion: None,
                    },
                )
            }
            PanelKind::Slo(spec) => slo_panel_ui(
                ui,
                SloPanelView {
                    id: panel.id,
                    title: &panel.title,
                    spec,
                    connections,
                    loading: false,
                    last: match data {
                        Some(Ok(PanelData::Slo(s))) => Some(Ok(s)),
                        _ => last_err.map(Err),
                    },
                    zone,
                },
            ),
            PanelKind::SloOverview(spec) => slo_overview_ui(ui, panel.id, &panel.title, spec, &[]),
        }
    });
}
