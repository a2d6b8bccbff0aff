//! A log list over the Local source: filters, then one row per record, virtualized.

use super::action::Action;
use super::time_axis::format_time;
use crate::model::telemetry::severity_name;
use crate::model::{LogBatch, TimeZoneChoice};
use crate::sources::SourceError;
use crate::workspace::{LogsPanel, PanelId};
use egui::{Color32, RichText};

pub struct LogsPanelView<'a> {
    pub id: PanelId,
    pub spec: &'a mut LogsPanel,
    pub loading: bool,
    pub last: Option<Result<&'a LogBatch, &'a SourceError>>,
    pub zone: TimeZoneChoice,
}

/// Severity choices offered in the filter.
const SEVERITIES: &[(u8, &str)] = &[(0, "All"), (9, "Info+"), (13, "Warn+"), (17, "Error+")];

pub fn severity_color(severity: u8) -> Color32 {
    match severity {
        17.. => Color32::from_rgb(0xf2, 0x49, 0x5c),
        13..=16 => Color32::from_rgb(0xf2, 0xcc, 0x0c),
        9..=12 => Color32::from_rgb(0x73, 0xbf, 0x69),
        _ => Color32::GRAY,
    }
}

pub fn logs_panel_ui(ui: &mut egui::Ui, view: LogsPanelView<'_>) -> Vec<Action> {
    let LogsPanelView {
        id,
        spec,
        loading,
        last,
        zone,
    } = view;
    let mut actions = Vec::new();
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Service");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut spec.service)
                    .hint_text("all")
                    .desired_width(100.0),
            )
            .labelled_by(l.id)
            .lost_focus();
        egui::ComboBox::new(("log_severity", id), "Severity")
            .selected_text(
                SEVERITIES
                    .iter()
                    .find(|s| s.0 == spec.min_severity)
                    .map_or("All", |s| s.1),
            )
            .show_ui(ui, |ui| {
                for &(n, label) in SEVERITIES {
                    changed |= ui
                        .selectable_value(&mut spec.min_severity, n, label)
                        .changed();
                }
            });
        let l = ui.label("Text");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut spec.text)
                    .hint_text("contains…")
                    .desired_width(160.0),
            )
            .labelled_by(l.id)
            .lost_focus();
        let l = ui.label("Trace id");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut spec.trace_id)
                    .hint_text("any")
                    .desired_width(120.0),
            )
            .labelled_by(l.id)
            .lost_focus();
        if ui.button("Search logs").clicked() {
            changed = true;
        }
        if loading {
            ui.spinner();
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelQuery(id));
            }
        }
    });
    if changed {
        actions.push(Action::RunQuery(id));
    }
    match last {
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
        Some(Ok(batch)) if batch.is_empty() => {
            ui.label("No log records match in this time range.");
        }
        Some(Ok(batch)) => {
            if batch.matched > batch.len() {
                // Never cut silently: say how much is not shown.
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "Showing the newest {} of {} matching records; narrow the time range or filters to see the rest.",
                        batch.len(),
                        batch.matched
                    ),
                );
            } else {
                ui.label(
                    RichText::new(format!("{} records, newest first", batch.len()))
                        .small()
                        .weak(),
                );
            }
            let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
            egui::ScrollArea::both()
                .id_salt(("log_rows", id))
                .auto_shrink([false, false])
                .show_rows(ui, row_height, batch.len(), |ui, rows| {
                    for i in rows {
                        log_row_ui(ui, batch, i, zone, &mut actions);
                    }
                });
        }
        None => {}
    }
    actions
}

fn log_row_ui(
    ui: &mut egui::Ui,
    batch: &LogBatch,
    i: usize,
    zone: TimeZoneChoice,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let t = batch.time_ns[i] as f64 / 1e9;
        ui.monospace(format_time(t, zone, "%H:%M:%S%.3f"));
        let sev = batch.severity[i];
        ui.label(
            RichText::new(format!("{:<5}", severity_name(sev)))
                .monospace()
                .color(severity_color(sev)),
        );
        ui.label(RichText::new(&batch.service[i]).monospace().weak());
        if let Some(trace) = batch.trace_id[i]
            && ui
                .small_button("trace")
                .on_hover_text(format!("Show trace {trace}"))
                .clicked()
        {
            actions.push(Action::ShowTrace(trace));
        }
        // One line per row; very long lines are cut in the row, whole in the hover text.
        let body = batch.body(i);
        let shown: String = body.chars().take(400).collect();
        let response = ui.monospace(shown.replace('\n', " \\n "));
        if body.len() > shown.len() {
            response.on_hover_text(body);
        }
    });
}
