//! The detail pane of a selected span: what it is, when and how long (and how much of that
//! was its own work), its status and attributes, and links to its logs.

use super::action::Action;
use super::traces_panel::format_duration_ns;
use crate::analysis::AnalysedTrace;
use crate::model::SpanStatus;
use crate::workspace::correlation::SERVICE_LABEL;
use crate::workspace::{Link, LinkTarget, LogsFocus};
use egui::RichText;
use egui_extras::{Column, TableBuilder};

/// OTLP span kinds by number.
fn kind_name(kind: i32) -> &'static str {
    match kind {
        1 => "internal",
        2 => "server",
        3 => "client",
        4 => "producer",
        5 => "consumer",
        _ => "unspecified",
    }
}

/// Time around a span that its logs are looked for in, each side.
const LOG_MARGIN_NS: u64 = 5_000_000_000;
/// Time around a span its service's metrics are charted over, each side: enough to see the
/// span's moment against the service's normal.
const METRICS_MARGIN_NS: u64 = 15 * 60 * 1_000_000_000;

fn at(ns: u64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_nanos(ns.min(i64::MAX as u64) as i64)
}

pub fn span_detail_ui(ui: &mut egui::Ui, trace: &AnalysedTrace, span: u32) -> Vec<Action> {
    let mut actions = Vec::new();
    let Some(s) = trace.trace.spans.get(span as usize) else {
        return actions;
    };
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("{}: {}", s.service, s.name));
        ui.label(
            RichText::new(format!("span {}", s.span_id))
                .monospace()
                .small(),
        );
        if let Some(parent) = s.parent_id {
            ui.label(
                RichText::new(format!("parent {parent}"))
                    .monospace()
                    .small(),
            );
        }
        ui.label(format!("kind: {}", kind_name(s.kind)));
        ui.label(format!(
            "starts at +{}, lasts {}, self time {}",
            format_duration_ns(s.start_ns.saturating_sub(trace.start_ns)),
            format_duration_ns(s.duration_ns()),
            format_duration_ns(trace.self_times.get(span as usize).copied().unwrap_or(0)),
        ));
        match s.status {
            SpanStatus::Error => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("status: error {}", s.status_message),
                );
            }
            SpanStatus::Ok => {
                ui.label("status: ok");
            }
            SpanStatus::Unset => {}
        }
        if trace.on_critical.get(span as usize) == Some(&true) {
            ui.label(RichText::new("on the critical path").italics());
        }
    });
    // The links on a line of their own, so long ids above never push them out of view.
    ui.horizontal(|ui| {
        if ui.button("Logs for this span").clicked() {
            let from = s.start_ns.saturating_sub(LOG_MARGIN_NS);
            let to = s.end_ns.saturating_add(LOG_MARGIN_NS);
            let focus = LogsFocus {
                labels: vec![(SERVICE_LABEL.to_owned(), s.service.clone())],
                trace_id: Some(trace.trace.trace_id),
                span_id: Some(s.span_id),
                ..LogsFocus::default()
            };
            actions.push(Action::Follow(
                Link::new(LinkTarget::Logs(focus)).with_range(at(from), at(to)),
            ));
        }
        if ui.button("Metrics for this service").clicked() {
            let from = s.start_ns.saturating_sub(METRICS_MARGIN_NS);
            let to = s.end_ns.saturating_add(METRICS_MARGIN_NS);
            actions.push(Action::Follow(
                Link::new(LinkTarget::ServiceMetrics {
                    service: s.service.clone(),
                })
                .with_range(at(from), at(to)),
            ));
        }
        if ui.button("Copy span id").clicked() {
            ui.ctx().copy_text(s.span_id.to_string());
        }
    });
    ui.push_id(("span_attributes", span), |ui| {
        let height = ui.available_height().max(60.0);
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(true)
            .auto_shrink([false, true])
            .max_scroll_height(height)
            .column(Column::initial(200.0).clip(true))
            .column(Column::remainder().clip(true))
            .header(18.0, |mut h| {
                h.col(|ui| {
                    ui.label(RichText::new("Attribute").small().strong());
                });
                h.col(|ui| {
                    ui.label(RichText::new("Value").small().strong());
                });
            })
            .body(|body| {
                body.rows(18.0, s.attributes.len(), |mut row| {
                    let (k, v) = &s.attributes[row.index()];
                    row.col(|ui| {
                        ui.label(RichText::new(k).monospace().small());
                    });
                    row.col(|ui| {
                        ui.label(RichText::new(v.to_string()).monospace().small());
                    });
                });
            });
    });
    actions
}
