//! The detail pane of a selected log line: its time, level, service and ids, the line whole
//! (a very long one on request), a copy button and the link to its trace.

use super::action::Action;
use super::log_table::LONG_LINE_BYTES;
use super::logs_panel::severity_color;
use super::time_axis::format_time;
use crate::analysis::log_fields::{FieldFormat, extract_fields};
use crate::analysis::logql_edit::{FilterStage, LogFilter};
use crate::model::telemetry::severity_name;
use crate::model::{LogBatch, TimeZoneChoice};
use crate::workspace::correlation::SERVICE_LABEL;
use crate::workspace::{Link, LinkTarget, PanelId};
use egui::RichText;
use std::sync::Arc;

/// How much of a very long line the pane shows before "Show full line".
const PREVIEW_BYTES: usize = 16 * 1024;

/// What the pane shows: a row of a panel's lines.
pub struct LogDetail<'a> {
    pub panel: PanelId,
    pub batch: &'a LogBatch,
    pub row: usize,
    pub zone: TimeZoneChoice,
    /// Loki can filter any label or field in or out; the Local source only by service.
    pub on_loki: bool,
    /// The fields the table shows as columns; a chip's "col" button adds or removes one.
    pub columns: &'a mut Vec<String>,
}

/// Lines up to this long have their fields parsed for the filter buttons (every frame the
/// row is selected; a longer line would cost a frame).
const FIELDS_MAX_BYTES: usize = 64 * 1024;

pub fn log_detail_ui(
    ui: &mut egui::Ui,
    detail: LogDetail<'_>,
    show_full: &mut bool,
) -> Vec<Action> {
    let LogDetail {
        panel,
        batch,
        row,
        zone,
        on_loki,
        columns,
    } = detail;
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
        if ui
            .button("Show context")
            .on_hover_text("The lines just before and after this one in its stream")
            .clicked()
        {
            let labels = match batch.stream_labels(row) {
                Some(labels) => labels
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                None => vec![(SERVICE_LABEL.to_owned(), batch.service_name(row).to_owned())],
            };
            actions.push(Action::ShowLogContext {
                panel,
                time_ns: batch.time_ns[row],
                body: body.to_owned(),
                labels,
            });
        }
    });
    fields_ui(ui, (panel, batch, row), on_loki, columns, &mut actions);
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

/// The line's stream labels and parsed fields, each with buttons that filter the panel's
/// query for it (=) or against it (!=).
fn fields_ui(
    ui: &mut egui::Ui,
    (panel, batch, row): (PanelId, &LogBatch, usize),
    on_loki: bool,
    columns: &mut Vec<String>,
    actions: &mut Vec<Action>,
) {
    let mut entries: Vec<(String, String, FilterStage)> = Vec::new();
    match batch.stream_labels(row) {
        Some(labels) => {
            entries.extend(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned(), FilterStage::Selector)),
            );
        }
        None => entries.push((
            SERVICE_LABEL.to_owned(),
            batch.service_name(row).to_owned(),
            FilterStage::Selector,
        )),
    }
    entries.extend(
        batch
            .structured_metadata
            .row(row)
            .chain(batch.parsed.row(row))
            .map(|(k, v)| (k.to_owned(), v.to_owned(), FilterStage::Metadata)),
    );
    let body = batch.body(row);
    if on_loki && body.len() <= FIELDS_MAX_BYTES {
        // Parsed once per selected line, not every frame it stays selected.
        // Keyed by the line's bytes in the batch's buffer: another line or batch is another key.
        let key = (body.as_ptr() as usize, body.len());
        let cache_id = ui.make_persistent_id(("log_fields", panel));
        type Parsed = (usize, usize, Arc<(FieldFormat, Vec<(String, String)>)>);
        let cached: Option<Parsed> = ui.data(|d| d.get_temp(cache_id));
        let parsed = match cached {
            Some((b, r, fields)) if (b, r) == key => fields,
            _ => {
                let fields = Arc::new(extract_fields(body));
                ui.data_mut(|d| d.insert_temp(cache_id, (key.0, key.1, Arc::clone(&fields))));
                fields
            }
        };
        let (format, fields) = &*parsed;
        let parsed: Vec<_> = fields
            .iter()
            .filter(|(k, _)| !entries.iter().any(|(n, _, _)| n == k))
            .map(|(k, v)| (k.clone(), v.clone(), FilterStage::Parsed(*format)))
            .collect();
        entries.extend(parsed);
    }
    if entries.is_empty() {
        return;
    }
    // Chips that wrap, so a line's dozen fields take a few rows of the pane.
    ui.horizontal_wrapped(|ui| {
        for (name, value, stage) in entries.into_iter().take(100) {
            let kind = match stage {
                FilterStage::Selector => "stream label",
                FilterStage::Metadata => "structured metadata",
                FilterStage::Parsed(_) => "field",
            };
            ui.label(RichText::new(format!("{name}={value}")).monospace().small())
                .on_hover_text(format!("a {kind}"));
            // The Local source filters by service only.
            let can = on_loki || (stage == FilterStage::Selector && name == SERVICE_LABEL);
            for (text, exclude) in [("=", false), ("!=", true)] {
                if exclude && !on_loki {
                    continue;
                }
                let how = if exclude { "Filter out" } else { "Filter for" };
                let b = ui.add_enabled(can, egui::Button::new(text).small());
                let label = format!("{how} {name}={value}");
                b.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, can, &label));
                if b.on_hover_text(&label).clicked() {
                    actions.push(Action::AddLogFilter {
                        panel,
                        filter: LogFilter {
                            name: name.clone(),
                            value: value.clone(),
                            exclude,
                            stage,
                        },
                    });
                }
            }
            let shown = columns.contains(&name);
            let (text, how) = if shown {
                ("-col", "Hide the column")
            } else {
                ("+col", "Show as a column:")
            };
            let label = format!("{how} {name}");
            let b = ui.add(egui::Button::new(text).small());
            b.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
            if b.on_hover_text(&label).clicked() {
                if shown {
                    columns.retain(|c| *c != name);
                } else {
                    columns.push(name.clone());
                }
            }
            ui.add_space(6.0);
        }
    });
}
