//! The metrics panel: a PromQL field, the run status, errors and warnings, and the chart.

use super::action::Action;
use super::chart::chart_ui;
use crate::model::{QueryRun, TimeZoneChoice};
use crate::sources::SourceError;
use crate::workspace::{Connection, MetricsPanel, PanelId};
use egui::{Color32, Key, Modifiers, RichText};
use std::time::Duration;

/// Everything the panel shows this frame. The query text and connection choice are the panel's
/// own view state and are edited in place; everything else goes back as actions.
pub struct MetricsPanelView<'a> {
    pub id: PanelId,
    pub title: &'a str,
    pub spec: &'a mut MetricsPanel,
    pub connections: &'a [Connection],
    /// Elapsed time and bytes received of the query in flight.
    pub loading: Option<(Duration, u64)>,
    /// The last finished query, kept on screen while a new one loads.
    pub last: Option<Result<&'a QueryRun, &'a SourceError>>,
    pub zone: TimeZoneChoice,
}

/// Draws the panel; returns what the user asked for.
pub fn metrics_panel_ui(ui: &mut egui::Ui, view: MetricsPanelView<'_>) -> Vec<Action> {
    let MetricsPanelView {
        id,
        title,
        spec,
        connections,
        loading,
        last,
        zone,
    } = view;
    let mut actions = Vec::new();

    ui.horizontal(|ui| {
        ui.strong(title);
        let selected = spec
            .connection
            .and_then(|c| connections.iter().find(|x| x.id == c))
            .map_or("(no connection)", |c| c.name.as_str());
        egui::ComboBox::new(("panel_connection", id), "Connection")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                for c in connections {
                    ui.selectable_value(&mut spec.connection, Some(c.id), &c.name);
                }
            });
        if ui.button("Run").on_hover_text("Ctrl+Enter").clicked() {
            actions.push(Action::RunQuery(id));
        }
        ui.menu_button("Panel menu", |ui| {
            if ui.button("Export as PNG…").clicked() {
                actions.push(Action::ExportPng {
                    panel: id,
                    path: None,
                });
                ui.close();
            }
            let has_data = matches!(last, Some(Ok(run)) if !run.result.series.is_empty());
            if ui
                .add_enabled(has_data, egui::Button::new("Copy data as CSV"))
                .clicked()
            {
                actions.push(Action::CopyCsv(id));
                ui.close();
            }
            ui.separator();
            if ui.button("Remove panel").clicked() {
                actions.push(Action::RemovePanel(id));
                ui.close();
            }
        });
    });

    let editor_id = ui.make_persistent_id(("promql", id));
    // Consumed before the editor sees it, so Ctrl+Enter runs instead of adding a newline.
    let run_key = ui.memory(|m| m.has_focus(editor_id))
        && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    let label = ui.label("PromQL query");
    ui.add(
        egui::TextEdit::multiline(&mut spec.query)
            .id(editor_id)
            .code_editor()
            .desired_rows(1)
            .desired_width(f32::INFINITY)
            .hint_text("e.g. rate(prometheus_http_requests_total[5m]) — Ctrl+Enter runs"),
    )
    .labelled_by(label.id);
    if run_key {
        actions.push(Action::RunQuery(id));
    }

    status_ui(ui, id, loading, last, &mut actions);

    match last {
        Some(Ok(run)) if run.result.series.is_empty() => {
            ui.centered_and_justified(|ui| ui.label("No data: the query returned no series."));
        }
        Some(Ok(run)) => {
            chart_ui(
                ui,
                id,
                run.id,
                &run.result,
                (run.start, run.end),
                run.step,
                zone,
            );
        }
        _ if loading.is_none() && spec.connection.is_none() => {
            ui.centered_and_justified(|ui| {
                ui.label("Choose a connection, type a PromQL query and press Ctrl+Enter.")
            });
        }
        _ => {}
    }
    actions
}

fn status_ui(
    ui: &mut egui::Ui,
    id: PanelId,
    loading: Option<(Duration, u64)>,
    last: Option<Result<&QueryRun, &SourceError>>,
    actions: &mut Vec<Action>,
) {
    if let Some((elapsed, bytes)) = loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!(
                "Loading… {:.1} s, {} received",
                elapsed.as_secs_f32(),
                format_bytes(bytes)
            ));
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelQuery(id));
            }
        });
    }
    match last {
        Some(Ok(run)) => {
            if loading.is_none() {
                ui.label(
                    RichText::new(format!(
                        "{} series, {} points, {} in {} ms, step {}s",
                        run.result.series.len(),
                        run.result.point_count(),
                        format_bytes(run.bytes),
                        run.elapsed.as_millis(),
                        run.step
                    ))
                    .small()
                    .weak(),
                );
            }
            for w in &run.result.warnings {
                ui.colored_label(Color32::from_rgb(0xe0, 0xb0, 0x30), format!("Warning: {w}"));
            }
            for i in &run.result.infos {
                ui.label(RichText::new(format!("Note: {i}")).weak());
            }
        }
        Some(Err(e)) => {
            egui::Frame::new()
                .fill(Color32::from_rgba_unmultiplied(0xf2, 0x49, 0x5c, 0x30))
                .inner_margin(6.0)
                .corner_radius(4.0)
                .show(ui, |ui| {
                    ui.colored_label(
                        Color32::from_rgb(0xf2, 0x49, 0x5c),
                        RichText::new(e.kind()).strong(),
                    );
                    ui.label(e.to_string());
                });
        }
        None => {}
    }
}

/// `1536` → `1.5 KiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
