//! The detail pane of a selected span: what it is, when and how long (and how much of that
//! was its own work), its status, attributes, events, links to other spans, the resource and
//! scope that emitted it, and links to its logs and its service's metrics.

use super::action::Action;
use super::traces_panel::format_duration_ns;
use crate::analysis::AnalysedTrace;
use crate::model::SpanStatus;
use crate::model::{AttrValue, SpanEvent, SpanLink};
use crate::workspace::correlation::SERVICE_LABEL;
use crate::workspace::{Link, LinkTarget, LogsFocus};
use egui::RichText;

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

/// What the user asked of the detail pane.
#[derive(Debug, Default)]
#[must_use]
pub struct SpanDetailResponse {
    /// Links out (logs, metrics, other traces).
    pub actions: Vec<Action>,
    /// A span of the same trace a link points to, to select in place.
    pub select: Option<u32>,
}

pub fn span_detail_ui(ui: &mut egui::Ui, trace: &AnalysedTrace, span: u32) -> SpanDetailResponse {
    let mut actions = Vec::new();
    let mut select = None;
    let Some(s) = trace.trace.spans.get(span as usize) else {
        return SpanDetailResponse::default();
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
    egui::ScrollArea::vertical()
        .id_salt(("span_detail", span))
        .auto_shrink([false, true])
        .max_height(ui.available_height().max(80.0))
        .show(ui, |ui| {
            egui::CollapsingHeader::new(format!("Attributes ({})", s.attributes.len()))
                .id_salt(("span_attribute_section", span))
                .default_open(true)
                .show(ui, |ui| {
                    attributes_ui(ui, ("span_attributes", span), &s.attributes)
                });
            events_ui(ui, span, trace, &s.events);
            links_ui(ui, span, trace, &s.links, &mut actions, &mut select);
            let resource_title = format!("Resource ({})", s.resource.len());
            egui::CollapsingHeader::new(resource_title)
                .id_salt(("span_resource", span))
                .default_open(true)
                .show(ui, |ui| {
                    ui.label(if s.scope.is_empty() {
                        "Scope: unknown".to_owned()
                    } else {
                        format!("Scope: {}", s.scope)
                    });
                    attributes_ui(ui, ("span_resource_attributes", span), &s.resource);
                });
        });
    SpanDetailResponse { actions, select }
}

/// A key/value grid; values wrap rather than push the pane wider.
fn attributes_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    attributes: &[(String, AttrValue)],
) {
    if attributes.is_empty() {
        ui.label(RichText::new("No attributes").small().weak());
        return;
    }
    egui::Grid::new(id_salt)
        .striped(true)
        .num_columns(2)
        .min_col_width(120.0)
        .show(ui, |ui| {
            for (k, v) in attributes {
                ui.label(RichText::new(k).monospace().small());
                ui.add(egui::Label::new(RichText::new(v.to_string()).monospace().small()).wrap());
                ui.end_row();
            }
        });
}

/// `k=v, k=v`.
fn inline_attributes(attributes: &[(String, AttrValue)]) -> String {
    attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The span's events, at their offset from the trace's start.
fn events_ui(ui: &mut egui::Ui, span: u32, trace: &AnalysedTrace, events: &[SpanEvent]) {
    egui::CollapsingHeader::new(format!("Events ({})", events.len()))
        .id_salt(("span_events", span))
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new(("span_events_grid", span))
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for e in events {
                        ui.label(
                            RichText::new(format!(
                                "+{}",
                                format_duration_ns(e.time_ns.saturating_sub(trace.start_ns))
                            ))
                            .monospace()
                            .small(),
                        );
                        ui.label(&e.name);
                        ui.add(
                            egui::Label::new(
                                RichText::new(inline_attributes(&e.attributes))
                                    .monospace()
                                    .small(),
                            )
                            .wrap(),
                        );
                        ui.end_row();
                    }
                });
        });
}

/// The span's links; each opens the span it points to: in place when it is in this trace,
/// else by following a link to its trace.
fn links_ui(
    ui: &mut egui::Ui,
    span: u32,
    trace: &AnalysedTrace,
    links: &[SpanLink],
    actions: &mut Vec<Action>,
    select: &mut Option<u32>,
) {
    egui::CollapsingHeader::new(format!("Links ({})", links.len()))
        .id_salt(("span_links", span))
        .default_open(true)
        .show(ui, |ui| {
            for (i, link) in links.iter().enumerate() {
                ui.horizontal_wrapped(|ui| {
                    let here = (link.trace_id == trace.trace.trace_id)
                        .then(|| {
                            trace
                                .trace
                                .spans
                                .iter()
                                .position(|s| s.span_id == link.span_id)
                        })
                        .flatten();
                    let button = if here.is_some() {
                        "Select linked span"
                    } else {
                        "Open linked trace"
                    };
                    if ui
                        .push_id(("span_link", i), |ui| ui.button(button))
                        .inner
                        .clicked()
                    {
                        match here {
                            Some(i) => *select = Some(i as u32),
                            None => actions.push(Action::Follow(Link::new(LinkTarget::Trace {
                                trace_id: link.trace_id,
                                span: Some(link.span_id),
                            }))),
                        }
                    }
                    ui.label(
                        RichText::new(format!("trace {} span {}", link.trace_id, link.span_id))
                            .monospace()
                            .small(),
                    );
                    if !link.attributes.is_empty() {
                        ui.label(
                            RichText::new(inline_attributes(&link.attributes))
                                .monospace()
                                .small(),
                        );
                    }
                });
            }
        });
}
