//! The detail pane of a selected log line: its time, level, service and ids, the line whole
//! (a very long one on request), a copy button and the link to its trace.

use super::action::Action;
use super::log_table::LONG_LINE_BYTES;
use super::logs_panel::severity_color;
use super::time_axis::format_time;
use crate::model::telemetry::severity_name;
use crate::model::{LogBatch, TimeZoneChoice};
use crate::workspace::{Link, LinkTarget};
use egui::RichText;

/// How much of a very long line the pane shows before "Show full line".
const PREVIEW_BYTES: usize = 16 * 1024;

pub fn log_detail_ui(
    ui: &mut egui::Ui,
    batch: &LogBatch,
    row: usize,
    zone: TimeZoneChoice,
    show_full: &mut bool,
) -> Vec<Action> {
    let mut actions = Vec::new();
    if row >= batch.len() {
        return actions;
    }
    let body = batch.body(row);
    ui.horizontal_wrapped(|ui| {
        let t = batch.time_ns[row] as f64 / 1e9;
        ui.label(RichText::new(format_time(t, zone, "%Y-%m-%d %H:%M:%S%.9f")).monospace());
        let sev = batch.severity[row];
        ui.label(
            RichText::new(severity_name(sev))
                .color(severity_color(sev))
                .strong(),
        );
        ui.label(format!("service: {}", batch.service[row]));
        if let Some(trace) = batch.trace_id[row] {
            ui.label(RichText::new(format!("trace_id: {trace}")).monospace());
            if ui.button("View trace").clicked() {
                actions.push(Action::Follow(Link::new(LinkTarget::Trace {
                    trace_id: trace,
                    span: batch.span_id[row],
                })));
            }
        }
        if let Some(span) = batch.span_id[row] {
            ui.label(RichText::new(format!("span_id: {span}")).monospace());
        }
        if ui.button("Copy line").clicked() {
            ui.ctx().copy_text(body.to_owned());
        }
    });
    let long = body.len() >= LONG_LINE_BYTES;
    let shown = if long && !*show_full {
        let mut cut = PREVIEW_BYTES.min(body.len());
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        &body[..cut]
    } else {
        body
    };
    if long {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("This line is {} KB long.", body.len() / 1024))
                    .small()
                    .weak(),
            );
            let text = if *show_full {
                "Show the start only"
            } else {
                "Show full line"
            };
            if ui.button(text).clicked() {
                *show_full = !*show_full;
            }
        });
    }
    egui::ScrollArea::vertical()
        .id_salt("log_detail_text")
        .auto_shrink([false, true])
        .max_height(ui.available_height().max(40.0))
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(shown).monospace()).wrap());
        });
    actions
}
