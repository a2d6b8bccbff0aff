//! A trace search over Jaeger, Tempo or the Local source, a duration-over-time scatter and a
//! list of its traces, and the trace the user opens: as a waterfall, a flame graph, an
//! aggregated flame graph, a statistics table, a comparison with a pinned baseline trace or a
//! service graph; or the service graph of every listed trace.

use super::action::Action;
use super::flame_graph::{aggregated_flame_ui, flame_graph_ui};
use super::metrics_panel::format_bytes;
use super::panel_menu::panel_menu;
use super::promql_editor::{QueryLanguage, query_editor_ui};
use super::service_graph_view::{results_graph_ui, service_graph_ui};
use super::time_axis::format_time;
use super::trace_compare::{clear_baseline, pin_baseline, pinned_baseline, trace_compare_ui};
use super::trace_header::trace_header_ui;
use super::trace_lookup::trace_lookup_ui;
use super::trace_scatter::{MIN_SCATTER_HEIGHT, SCATTER_HEIGHT, trace_scatter_ui};
use super::trace_stats_table::trace_stats_ui;
use super::waterfall::{select_span, waterfall_ui};
use crate::analysis::AnalysedTrace;
use crate::analysis::service_graph::ResultsServiceGraph;
use crate::analysis::trace_list_order::{TraceOrder, trace_list_order};
use crate::model::{SpanId, TimeZoneChoice, TraceId, TraceSummary};
use crate::sources::SourceError;
use crate::sources::completion::CompletionCache;
use crate::ui::connection_picker::connection_picker;
use crate::workspace::{
    Connection, Link, LinkTarget, PanelId, Signal, SourceKind, TraceView, TracesPanel,
};
use egui::{Color32, RichText};
use std::sync::Arc;

/// A trace on its way into a traces panel: received bytes, then spans being analysed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceOpening {
    pub trace_id: TraceId,
    pub elapsed: std::time::Duration,
    pub bytes: u64,
    /// Spans decoded (0 while still receiving).
    pub spans: u64,
}

pub struct TracesPanelView<'a> {
    pub id: PanelId,
    pub spec: &'a mut TracesPanel,
    pub loading: bool,
    pub last: Option<Result<&'a Vec<TraceSummary>, &'a SourceError>>,
    pub open_trace: Option<&'a Arc<AnalysedTrace>>,
    /// A trace being fetched or analysed for this panel.
    pub opening: Option<TraceOpening>,
    /// The service graph of the listed traces, once built; it takes the open trace's place.
    pub results_graph: Option<&'a Arc<ResultsServiceGraph>>,
    /// While that graph is being built: how many listed traces have been read.
    pub results_graph_progress: Option<u64>,
    pub zone: TimeZoneChoice,
    /// The workspace's connections, for the panel's connection picker.
    pub connections: &'a [Connection],
    /// A span a link asked to show, selected and scrolled to once its trace is open.
    pub focus: &'a mut Option<(TraceId, SpanId)>,
    /// The connection's cached tag names and values, for TraceQL completion.
    pub completion: Option<&'a std::sync::Mutex<CompletionCache>>,
}

/// The most traces one search returns.
pub const TRACE_LIST_LIMIT: usize = 500;

/// The most listed traces one service graph of search results reads.
pub const RESULTS_GRAPH_TRACES: usize = 100;

/// `1234567` ns → `1.23 ms`.
pub fn format_duration_ns(ns: u64) -> String {
    let ms = ns as f64 / 1e6;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.0} µs", ns as f64 / 1e3)
    }
}

pub fn traces_panel_ui(ui: &mut egui::Ui, view: TracesPanelView<'_>) -> Vec<Action> {
    let TracesPanelView {
        id,
        spec,
        loading,
        last,
        open_trace,
        opening,
        results_graph,
        results_graph_progress,
        zone,
        connections,
        focus,
        completion,
    } = view;
    let mut actions = Vec::new();
    let mut changed = false;
    let kind = spec
        .connection
        .and_then(|c| connections.iter().find(|x| x.id == c))
        .map(|c| c.kind);
    if kind == Some(SourceKind::Tempo) {
        let editor = query_editor_ui(
            ui,
            ui.make_persistent_id(("traceql", id)),
            "TraceQL",
            &mut spec.traceql,
            "{ resource.service.name = \"checkout\" && status = error }   (Ctrl+Enter runs)",
            completion,
            QueryLanguage::TraceQL,
        );
        if let Some(context) = editor.fetch {
            actions.push(Action::FetchCompletions { panel: id, context });
        }
        changed |= editor.run;
    }
    ui.horizontal_wrapped(|ui| {
        changed |= connection_picker(
            ui,
            ("trace_connection", id),
            connections,
            Signal::Traces,
            &mut spec.connection,
        );
        if ui
            .button("Copy link")
            .on_hover_text("Copy a signalscope:// link that reopens this view")
            .clicked()
        {
            actions.push(Action::CopyLink(id));
        }
        panel_menu(ui, id, &mut actions);
        if let Some(trace_id) = trace_lookup_ui(ui, id) {
            actions.push(Action::Follow(Link::new(LinkTarget::Trace {
                trace_id,
                span: None,
            })));
        }
        let form = [
            ("Service", &mut spec.service, "all"),
            ("Operation", &mut spec.operation, "all"),
            ("Attribute", &mut spec.attribute, "k=v k2=\"a b\""),
        ];
        // Tempo's filters are its TraceQL; the form is Jaeger's and the Local store's.
        let form = if kind == Some(SourceKind::Tempo) {
            Vec::new()
        } else {
            Vec::from(form)
        };
        for (label, value, hint) in form {
            let l = ui.label(label);
            changed |= ui
                .add(
                    egui::TextEdit::singleline(value)
                        .hint_text(hint)
                        .desired_width(110.0),
                )
                .labelled_by(l.id)
                .lost_focus();
        }
        if kind != Some(SourceKind::Tempo) {
            let l = ui.label("Min duration (ms)");
            changed |= ui
                .add(egui::DragValue::new(&mut spec.min_duration_ms).range(0.0..=1e7))
                .labelled_by(l.id)
                .changed();
            let l = ui.label("Max duration (ms)");
            changed |= ui
                .add(egui::DragValue::new(&mut spec.max_duration_ms).range(0.0..=1e7))
                .labelled_by(l.id)
                .on_hover_text("0 for no upper bound")
                .changed();
        }
        let l = ui.label("Limit");
        changed |= ui
            .add(egui::DragValue::new(&mut spec.limit).range(0..=TRACE_LIST_LIMIT as u32 * 4))
            .labelled_by(l.id)
            .on_hover_text(format!("Most traces listed; 0 for {TRACE_LIST_LIMIT}"))
            .changed();
        changed |= ui.checkbox(&mut spec.errors_only, "Errors only").changed();
        if ui.button("Search traces").clicked() {
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
    if let Some(opening) = opening {
        ui.horizontal(|ui| {
            ui.spinner();
            let secs = opening.elapsed.as_secs_f64();
            let text = if opening.spans > 0 {
                format!(
                    "Opening trace {}: analysing {} spans ({secs:.1} s)",
                    opening.trace_id, opening.spans
                )
            } else {
                format!(
                    "Opening trace {}: {} received ({secs:.1} s)",
                    opening.trace_id,
                    format_bytes(opening.bytes)
                )
            };
            ui.label(text);
            if ui.button("Cancel opening").clicked() {
                actions.push(Action::CancelTraceOpening(id));
            }
        });
    }
    let list_height = if open_trace.is_some() || results_graph.is_some() {
        ui.available_height() * 0.4
    } else {
        ui.available_height()
    };
    match last {
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
        Some(Ok(list)) if list.is_empty() => {
            ui.label("No traces match in this time range.");
        }
        Some(Ok(list)) => {
            if list.len() >= TRACE_LIST_LIMIT {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "Showing the newest {TRACE_LIST_LIMIT} matching traces; narrow the time range or filters to see older ones."
                    ),
                );
            }
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{} traces", list.len())).small().weak());
                egui::ComboBox::new(("trace_sort", id), "Sort")
                    .selected_text(spec.order.label())
                    .show_ui(ui, |ui| {
                        for order in TraceOrder::ALL {
                            ui.selectable_value(&mut spec.order, order, order.label());
                        }
                    });
                match results_graph_progress {
                    Some(read) => {
                        ui.spinner();
                        ui.label(format!(
                            "Reading trace {} of {} for the service graph",
                            read + 1,
                            list.len().min(RESULTS_GRAPH_TRACES)
                        ));
                        if ui.button("Cancel service graph").clicked() {
                            actions.push(Action::CancelQuery(id));
                        }
                    }
                    None => {
                        if ui
                            .button("Service graph of these traces")
                            .on_hover_text(format!(
                                "Read the listed traces whole (the first {RESULTS_GRAPH_TRACES}) and draw the calls between their services"
                            ))
                            .clicked()
                        {
                            actions.push(Action::BuildResultsGraph(id));
                        }
                    }
                }
            });
            // The scatter and the list share the list's room.
            let scatter_height = (list_height * 0.45).min(SCATTER_HEIGHT);
            let list_height = if scatter_height >= MIN_SCATTER_HEIGHT {
                let open_id = open_trace.map(|o| o.trace.trace_id);
                let salt = ("trace_scatter", id);
                if let Some(trace_id) =
                    trace_scatter_ui(ui, salt, list, zone, open_id, scatter_height)
                {
                    actions.push(Action::Follow(Link::new(LinkTarget::Trace {
                        trace_id,
                        span: None,
                    })));
                }
                list_height - scatter_height
            } else {
                list_height
            };
            let listed = trace_list_order(list, spec.order);
            let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
            egui::ScrollArea::vertical()
                .id_salt(("trace_rows", id))
                .max_height(list_height)
                .auto_shrink([false, true])
                .show_rows(ui, row_height, list.len(), |ui, rows| {
                    for &i in &listed[rows] {
                        let t = &list[i as usize];
                        ui.horizontal(|ui| {
                            let open = open_trace.is_some_and(|o| o.trace.trace_id == t.trace_id);
                            let label = format!("{}: {}", t.root_service, t.root_name);
                            if ui.selectable_label(open, label).clicked() {
                                actions.push(Action::Follow(Link::new(LinkTarget::Trace {
                                    trace_id: t.trace_id,
                                    span: None,
                                })));
                            }
                            ui.label(format_duration_ns(t.duration_ns));
                            ui.label(format!("{} spans", t.span_count));
                            if t.error_count > 0 {
                                ui.colored_label(
                                    Color32::from_rgb(0xf2, 0x49, 0x5c),
                                    format!("{} errors", t.error_count),
                                );
                            }
                            ui.label(
                                RichText::new(format_time(
                                    t.start_ns as f64 / 1e9,
                                    zone,
                                    "%H:%M:%S",
                                ))
                                .weak(),
                            );
                            // Jaeger UI compares two found traces; here the open one is A.
                            if let Some(a) = open_trace.filter(|_| !open)
                                && ui
                                    .small_button("Diff")
                                    .on_hover_text(
                                        "Compare this trace (B) with the open one (baseline A)",
                                    )
                                    .clicked()
                            {
                                pin_baseline(ui.ctx(), id, Arc::clone(a));
                                actions.push(Action::CompareWithOpen {
                                    panel: id,
                                    trace_id: t.trace_id,
                                });
                            }
                        });
                    }
                });
        }
        None => {}
    }
    if let Some(graph) = results_graph {
        ui.separator();
        if results_graph_ui(ui, ("results_graph", id), graph) {
            actions.push(Action::CloseResultsGraph(id));
        }
    } else if let Some(trace) = open_trace {
        if let Some((trace_id, span_id)) = *focus
            && trace_id == trace.trace.trace_id
        {
            *focus = None;
            if let Some(i) = trace.trace.spans.iter().position(|s| s.span_id == span_id) {
                select_span(ui, ("waterfall", id), trace, i as u32);
                if !matches!(spec.view, TraceView::Waterfall | TraceView::Flame) {
                    spec.view = TraceView::Waterfall;
                }
            }
        }
        ui.separator();
        trace_header_ui(ui, trace, zone);
        let baseline = pinned_baseline(ui.ctx(), id);
        ui.horizontal_wrapped(|ui| {
            for (view, label) in VIEWS {
                if ui.selectable_label(spec.view == view, label).clicked() {
                    spec.view = view;
                }
            }
            ui.separator();
            let pinned = baseline.as_ref().is_some_and(|b| Arc::ptr_eq(b, trace));
            if ui
                .add_enabled(!pinned, egui::Button::new("Pin as baseline A"))
                .on_hover_text("Keep this trace to compare the next one you open with")
                .clicked()
            {
                pin_baseline(ui.ctx(), id, Arc::clone(trace));
            }
            if baseline.is_some() && ui.button("Clear baseline").clicked() {
                clear_baseline(ui.ctx(), id);
            }
            if ui
                .button("Save trace…")
                .on_hover_text("Save this trace as OTLP/JSON (File → Open trace… reads it back)")
                .clicked()
            {
                actions.push(Action::SaveTrace {
                    panel: id,
                    path: None,
                });
            }
        });
        match spec.view {
            TraceView::Flame => actions.extend(flame_graph_ui(ui, ("waterfall", id), trace)),
            TraceView::AggregatedFlame => aggregated_flame_ui(ui, ("aggregated", id), trace),
            TraceView::Statistics => trace_stats_ui(ui, ("stats", id), trace),
            TraceView::Compare => trace_compare_ui(ui, ("compare", id), baseline.as_ref(), trace),
            TraceView::ServiceGraph => {
                service_graph_ui(ui, ("service_graph", id), trace, baseline.as_ref());
            }
            TraceView::Waterfall => actions.extend(waterfall_ui(ui, ("waterfall", id), trace)),
        }
    }
    actions
}

/// The views the selector offers, with their accessible names.
const VIEWS: [(TraceView, &str); 6] = [
    (TraceView::Waterfall, "Waterfall"),
    (TraceView::Flame, "Flame graph"),
    (TraceView::AggregatedFlame, "Aggregated flame"),
    (TraceView::Statistics, "Statistics"),
    (TraceView::Compare, "Compare"),
    (TraceView::ServiceGraph, "Service graph"),
];
