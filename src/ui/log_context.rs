//! The window with a log line's context: the lines just before and after it in its stream,
//! oldest first, the line itself marked.

use super::logs_panel::severity_color;
use super::time_axis::format_time;
use crate::model::telemetry::severity_name;
use crate::model::{LogBatch, TimeZoneChoice};
use egui::RichText;

/// Draws the window; false once the user closed it.
pub fn log_context_ui(
    ctx: &egui::Context,
    stream: &str,
    lines: &LogBatch,
    focus: Option<usize>,
    zone: TimeZoneChoice,
) -> bool {
    let mut open = true;
    egui::Window::new("Line context")
        .open(&mut open)
        .default_width(900.0)
        .resizable(true)
        .show(ctx, |ui| {
            ui.label(
                RichText::new(format!(
                    "{} lines around the line in {stream}, oldest first",
                    lines.len()
                ))
                .small()
                .weak(),
            );
            egui::ScrollArea::vertical()
                .max_height(400.0)
                .show(ui, |ui| {
                    egui::Grid::new("log_context_grid")
                        .num_columns(3)
                        .striped(true)
                        .show(ui, |ui| {
                            for i in 0..lines.len() {
                                let t = lines.time_ns[i] as f64 / 1e9;
                                let sev = lines.severity[i];
                                let mark = focus == Some(i);
                                let time =
                                    RichText::new(format_time(t, zone, "%H:%M:%S%.3f")).monospace();
                                ui.label(if mark { time.strong() } else { time });
                                ui.label(
                                    RichText::new(severity_name(sev))
                                        .monospace()
                                        .color(severity_color(sev)),
                                );
                                let body = RichText::new(lines.body(i)).monospace();
                                if mark {
                                    ui.label(
                                        body.strong()
                                            .background_color(ui.visuals().selection.bg_fill),
                                    );
                                } else {
                                    ui.label(body);
                                }
                                ui.end_row();
                            }
                        });
                });
        });
    open
}
