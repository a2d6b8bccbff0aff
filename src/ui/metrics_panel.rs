//! The metrics panel: queries A, B, C… each in a PromQL editor, the run status and errors, the
//! chart with its legend table, and instant queries as a table.

use super::action::Action;
use super::chart::{ChartView, chart_ui};
use super::heatmap_chart::heatmap_chart_ui;
use super::instant_table::{TableSort, instant_table_ui};
use super::legend::{SeriesLink, legend_ui};
use super::metric_browser::metric_browser_ui;
use super::panel_menu::panel_menu_with;
use super::promql_editor::{last_cursor, promql_editor_ui, query_history_menu};
use super::query_inspector::query_inspector_ui;
use crate::analysis::heatmap_view::HeatmapView;
use crate::model::{ChartData, QueryRun, TimeRange, TimeZoneChoice};
use crate::sources::SourceError;
use crate::sources::completion::CompletionCache;
use crate::sources::prometheus::QueryInspection;
use crate::ui::connection_picker::connection_picker;
use crate::workspace::correlation::{SERVICE_LABEL, query_counts_errors};
use crate::workspace::{ChartKind, Connection, MetricQuery, MetricsPanel, PanelId, Unit};
use crate::workspace::{Correlations, Link, LinkTarget, LogsFocus, Signal};
use egui::{Color32, RichText};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the panel's last run left to show.
pub struct MetricsShown<'a> {
    pub chart: &'a Arc<ChartData>,
    pub table: &'a Arc<ChartData>,
    /// Per panel query: its run or error, `None` when it did not run.
    pub queries: Vec<Option<Result<&'a QueryRun, &'a SourceError>>>,
    /// Per panel query: what the inspector shows.
    pub inspections: Vec<Option<&'a QueryInspection>>,
    /// The histogram to draw when the chart is a heatmap.
    pub heatmap: Option<&'a HeatmapView>,
}

/// Everything the panel shows this frame. The queries and chart options are the panel's own
/// view state and are edited in place; everything else goes back as actions.
pub struct MetricsPanelView<'a> {
    pub id: PanelId,
    pub title: &'a str,
    pub spec: &'a mut MetricsPanel,
    pub connections: &'a [Connection],
    /// Elapsed time and bytes received of the queries in flight.
    pub loading: Option<(Duration, u64)>,
    /// The last finished run, kept on screen while a new one loads; or why nothing ran.
    pub last: Option<Result<MetricsShown<'a>, &'a SourceError>>,
    pub zone: TimeZoneChoice,
    /// Series the legend has hidden, by name.
    pub hidden: &'a mut HashSet<String>,
    /// Queries run before on this panel's connection, most recent first.
    pub history: &'a [String],
    /// The connection's cached metric and label names, for completion.
    pub completion: Option<&'a Mutex<CompletionCache>>,
    /// How a series finds its logs and traces.
    pub correlations: &'a Correlations,
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
        hidden,
        history,
        completion,
        correlations,
    } = view;
    let mut actions = Vec::new();

    header_ui(
        ui,
        id,
        title,
        spec,
        connections,
        &last,
        completion,
        &mut actions,
    );
    let mut remove = None;
    let count = spec.queries.len();
    for (i, query) in spec.queries.iter_mut().enumerate() {
        if query_row_ui(ui, id, i, count, query, history, completion, &mut actions) {
            remove = Some(i);
        }
    }
    if let Some(i) = remove {
        spec.queries.remove(i);
        actions.push(Action::RunQuery(id));
    }

    status_ui(ui, id, loading, &last, &mut actions);

    let shown = match &last {
        Some(Ok(shown)) => shown,
        Some(Err(_)) => return actions,
        None => {
            if loading.is_none() && spec.connection.is_none() {
                ui.centered_and_justified(|ui| {
                    ui.label("Choose a connection, type a PromQL query and press Ctrl+Enter.")
                });
            }
            return actions;
        }
    };
    let unit = spec.chart.unit;
    if !shown.table.series.is_empty() {
        let sort_id = ui.make_persistent_id(("instant_sort", id));
        let mut sort: TableSort = ui.data(|d| d.get_temp(sort_id)).unwrap_or_default();
        let height = if shown.chart.series.is_empty() {
            ui.available_height()
        } else {
            (ui.available_height() * 0.3).max(60.0)
        };
        ui.allocate_ui(egui::vec2(ui.available_width(), height), |ui| {
            instant_table_ui(ui, ("instant", id), shown.table, unit, &mut sort);
        });
        ui.data_mut(|d| d.insert_temp(sort_id, sort));
    }
    if spec.chart.kind == ChartKind::Heatmap {
        match shown.heatmap {
            Some(view) => heatmap_chart_ui(
                ui,
                ("heatmap", id),
                view,
                (shown.chart.start, shown.chart.end),
                zone,
                unit,
            ),
            None => {
                ui.centered_and_justified(|ui| {
                    ui.label(
                        "No histogram to draw: a heatmap needs bucket series with an `le` label, e.g. sum by (le) (rate(x_bucket[5m])), or native histograms.",
                    )
                });
            }
        }
        return actions;
    }
    let data = shown.chart;
    if data.series.is_empty() {
        if shown.table.series.is_empty() && shown.queries.iter().flatten().any(|q| q.is_ok()) {
            ui.centered_and_justified(|ui| ui.label("No data: the queries returned no series."));
        }
        return actions;
    }
    if data.total_series > data.series.len() {
        ui.colored_label(
            Color32::from_rgb(0xe0, 0xb0, 0x30),
            format!(
                "Showing the first {} of {} series (the panel's series cap; change it in Chart options).",
                data.series.len(),
                data.total_series
            ),
        );
    }
    let legend_rows = data.series.len().min(6) as f32;
    let legend_height = 22.0 + legend_rows * 18.0;
    let chart_height = (ui.available_height() - legend_height - 8.0).max(120.0);
    let response = ui
        .allocate_ui(egui::vec2(ui.available_width(), chart_height), |ui| {
            chart_ui(
                ui,
                id,
                ChartView {
                    data,
                    options: spec.chart,
                    zone,
                    hidden,
                },
            )
        })
        .inner;
    if response.preparing {
        ui.ctx().request_repaint_after(Duration::from_millis(30));
    }
    let exemplar_id = ui.make_persistent_id(("exemplar", id));
    if let Some(i) = response.clicked_exemplar {
        ui.data_mut(|d| d.insert_temp(exemplar_id, (data.id, i)));
    }
    let picked: Option<(u64, usize)> = ui.data(|d| d.get_temp(exemplar_id));
    if let Some(e) = picked
        .filter(|(data_id, _)| *data_id == data.id)
        .and_then(|(_, i)| data.exemplars.get(i))
    {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Exemplar").strong());
            ui.label(
                RichText::new(format!(
                    "{}  value {}  {}",
                    super::time_axis::format_time(e.time, zone, "%H:%M:%S%.3f"),
                    super::units::format_value(e.value, unit),
                    e.labels
                ))
                .monospace(),
            );
            if let Some(trace) = e.trace_id {
                if ui.button("Open trace").clicked() {
                    actions.push(Action::Follow(Link::new(LinkTarget::Trace {
                        trace_id: trace,
                        span: e
                            .labels
                            .get("span_id")
                            .and_then(crate::model::SpanId::parse_hex),
                    })));
                }
                if ui.button("Copy trace id").clicked() {
                    ui.ctx().copy_text(trace.to_string());
                }
            }
            if ui.button("Close").clicked() {
                ui.data_mut(|d| d.remove::<(u64, usize)>(exemplar_id));
            }
        });
    }
    if let Some(range) = response
        .zoom_to
        .and_then(|(from, to)| TimeRange::absolute_secs(from, to))
    {
        actions.push(Action::SetTimeRange(range));
    }
    let linked = |i: usize| {
        let labels: Vec<_> = data.series[i].labels.iter().collect();
        !correlations.log_labels(&labels).is_empty()
    };
    if let Some((i, to)) = legend_ui(
        ui,
        ("legend", id),
        title,
        data,
        unit,
        hidden,
        &linked,
        legend_height,
    ) {
        let series = &data.series[i];
        let errors = spec
            .queries
            .get(series.query)
            .is_some_and(|q| query_counts_errors(&q.expr));
        let pairs: Vec<_> = series.labels.iter().collect();
        let labels = correlations.log_labels(&pairs);
        let target = match to {
            SeriesLink::Logs => LinkTarget::Logs(LogsFocus {
                labels,
                errors_only: errors,
                ..LogsFocus::default()
            }),
            SeriesLink::Traces => LinkTarget::TraceSearch {
                service: labels
                    .iter()
                    .find(|(k, _)| k == SERVICE_LABEL)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                // On a latency chart, the traces at least as slow as the series' lowest
                // value over the range (a zoomed region's, after a drag).
                min_duration_ms: (unit == Unit::Seconds)
                    .then(|| series.values.iter().copied().filter(|v| v.is_finite()))
                    .and_then(|values| values.reduce(f64::min))
                    .map(|s| s * 1000.0),
                errors_only: errors,
            },
        };
        let link = match (
            chrono::DateTime::from_timestamp_millis((data.start * 1000.0) as i64),
            chrono::DateTime::from_timestamp_millis((data.end * 1000.0) as i64),
        ) {
            (Some(from), Some(to)) if from < to => Link::new(target).with_range(from, to),
            _ => Link::new(target),
        };
        actions.push(Action::Follow(link));
    }
    actions
}

#[allow(clippy::too_many_arguments)] // The panel's header draws from all of these.
fn header_ui(
    ui: &mut egui::Ui,
    id: PanelId,
    title: &str,
    spec: &mut MetricsPanel,
    connections: &[Connection],
    last: &Option<Result<MetricsShown<'_>, &SourceError>>,
    completion: Option<&Mutex<CompletionCache>>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(title);
        connection_picker(
            ui,
            ("panel_connection", id),
            connections,
            Signal::Metrics,
            &mut spec.connection,
        );
        if ui.button("Run").on_hover_text("Ctrl+Enter").clicked() {
            actions.push(Action::RunQuery(id));
        }
        if ui.button("Add query").clicked() {
            spec.queries.push(MetricQuery::default());
        }
        let browser_id = ui.make_persistent_id(("metric_browser", id));
        let mut open = ui.data(|d| d.get_temp::<bool>(browser_id)).unwrap_or(false);
        if ui.selectable_label(open, "Metrics browser").clicked() {
            open = !open;
        }
        if open {
            let now = std::time::Instant::now();
            let metrics = completion.and_then(|c| {
                c.lock()
                    .ok()
                    .and_then(|c| c.metrics(now).map(<[_]>::to_vec))
            });
            if metrics.is_none() {
                actions.push(Action::FetchCompletions {
                    panel: id,
                    context: crate::analysis::promql_completion::CompletionContext::Expression {
                        keywords: &[],
                    },
                });
            }
            let filter_id = browser_id.with("filter");
            let mut filter: String = ui.data(|d| d.get_temp(filter_id)).unwrap_or_default();
            let mut still_open = true;
            egui::Window::new(format!("Metrics of {title}"))
                .id(browser_id.with("window"))
                .open(&mut still_open)
                .default_width(720.0)
                .show(ui.ctx(), |ui| {
                    if let Some(name) = metric_browser_ui(ui, metrics.as_deref(), &mut filter)
                        && let Some(first) = spec.queries.first_mut()
                    {
                        let editor = editor_id(id, 0);
                        let at = last_cursor(ui.ctx(), editor)
                            .filter(|&b| b <= first.expr.len() && first.expr.is_char_boundary(b))
                            .unwrap_or(first.expr.len());
                        first.expr.insert_str(at, &name);
                    }
                });
            open = still_open;
            ui.data_mut(|d| d.insert_temp(filter_id, filter));
        }
        ui.data_mut(|d| d.insert_temp(browser_id, open));
        ui.menu_button("Chart options", |ui| {
            let before = spec.chart;
            let was_heatmap = before.kind == ChartKind::Heatmap;
            egui::ComboBox::new(("chart_kind", id), "Chart kind")
                .selected_text(spec.chart.kind.name())
                .show_ui(ui, |ui| {
                    for kind in ChartKind::ALL {
                        ui.selectable_value(&mut spec.chart.kind, *kind, kind.name());
                    }
                });
            egui::ComboBox::new(("chart_unit", id), "Unit")
                .selected_text(spec.chart.unit.name())
                .show_ui(ui, |ui| {
                    for unit in Unit::ALL {
                        ui.selectable_value(&mut spec.chart.unit, *unit, unit.name());
                    }
                });
            ui.checkbox(&mut spec.chart.log_scale, "Log scale");
            ui.horizontal(|ui| {
                let label = ui.label("Series cap");
                ui.add(egui::DragValue::new(&mut spec.series_cap).range(1..=100_000))
                    .labelled_by(label.id);
            });
            if spec.chart != before {
                ui.ctx().request_repaint();
            }
            // The heatmap is prepared with the data: switching to or from it runs again.
            if was_heatmap != (spec.chart.kind == ChartKind::Heatmap) {
                actions.push(Action::RunQuery(id));
            }
        });
        panel_menu_with(ui, id, actions, |ui, actions| {
            if ui.button("Copy link").clicked() {
                actions.push(Action::CopyLink(id));
                ui.close();
            }
            let has_data = matches!(last, Some(Ok(shown)) if !shown.chart.series.is_empty());
            if ui
                .add_enabled(has_data, egui::Button::new("Copy data as CSV"))
                .clicked()
            {
                actions.push(Action::CopyCsv(id));
                ui.close();
            }
        });
    });
}

/// One query's row: its letter, editor and options. Returns true when the user removes it.
#[allow(clippy::too_many_arguments)] // The row's query and what it draws on.
fn query_row_ui(
    ui: &mut egui::Ui,
    id: PanelId,
    index: usize,
    count: usize,
    query: &mut MetricQuery,
    history: &[String],
    completion: Option<&Mutex<CompletionCache>>,
    actions: &mut Vec<Action>,
) -> bool {
    let letter = MetricsPanel::letter(index);
    // Query A keeps the plain name, so a one-query panel reads as before.
    let label = if index == 0 {
        "PromQL query".to_owned()
    } else {
        format!("PromQL query {letter}")
    };
    let mut removed = false;
    let open_id = ui.make_persistent_id(("query_options", id, index));
    ui.horizontal(|ui| {
        let mut letter_text = RichText::new(&letter).monospace().strong();
        if query.disabled {
            letter_text = letter_text.weak().strikethrough();
        }
        ui.label(letter_text);
        let options_width = 170.0;
        ui.allocate_ui(
            egui::vec2((ui.available_width() - options_width).max(120.0), 0.0),
            |ui| {
                let editor_id = editor_id(id, index);
                let response = promql_editor_ui(
                    ui,
                    editor_id,
                    &label,
                    &mut query.expr,
                    "e.g. rate(prometheus_http_requests_total[5m]) — Ctrl+Enter runs",
                    completion,
                );
                if response.run {
                    actions.push(Action::RunQuery(id));
                }
                if let Some(context) = response.fetch {
                    actions.push(Action::FetchCompletions { panel: id, context });
                }
            },
        );
        if let Some(past) = query_history_menu(
            ui,
            &format!("History {letter}"),
            "Queries run before on this connection",
            history,
        ) {
            query.expr = past;
            actions.push(Action::RunQuery(id));
        }
        let mut open = ui.data(|d| d.get_temp::<bool>(open_id)).unwrap_or(false);
        if ui
            .selectable_label(open, format!("Options {letter}"))
            .on_hover_text("Legend format, min step, range or instant")
            .clicked()
        {
            open = !open;
            ui.data_mut(|d| d.insert_temp(open_id, open));
        }
    });
    if ui.data(|d| d.get_temp::<bool>(open_id)).unwrap_or(false) {
        ui.horizontal_wrapped(|ui| {
            ui.add_space(16.0);
            let before = query.clone();
            let l = ui.label("Legend");
            let legend = ui
                .add(
                    egui::TextEdit::singleline(&mut query.legend)
                        .hint_text("{{job}} {{instance}}")
                        .desired_width(200.0),
                )
                .labelled_by(l.id);
            let l = ui.label("Min step (s)");
            ui.add(egui::DragValue::new(&mut query.min_step_secs).range(0.0..=86_400.0))
                .labelled_by(l.id);
            ui.radio_value(&mut query.instant, false, "Range");
            ui.radio_value(&mut query.instant, true, "Instant");
            ui.checkbox(&mut query.disabled, "Disable query");
            if count > 1 && ui.button(format!("Remove query {letter}")).clicked() {
                removed = true;
            }
            // The legend re-runs when the user is done typing; everything else at once.
            let legend_done = legend.lost_focus();
            let other_changed = MetricQuery {
                legend: query.legend.clone(),
                ..before
            } != *query;
            if legend_done || other_changed {
                actions.push(Action::RunQuery(id));
            }
        });
    }
    removed
}

/// The PromQL editor of a panel's query, the same from wherever it is asked for.
fn editor_id(panel: PanelId, query: usize) -> egui::Id {
    egui::Id::unique(("promql_editor", panel, query))
}

fn status_ui(
    ui: &mut egui::Ui,
    id: PanelId,
    loading: Option<(Duration, u64)>,
    last: &Option<Result<MetricsShown<'_>, &SourceError>>,
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
        Some(Ok(shown)) => {
            let several = shown.queries.len() > 1;
            for (i, outcome) in shown.queries.iter().enumerate() {
                let prefix = if several {
                    format!("{}: ", MetricsPanel::letter(i))
                } else {
                    String::new()
                };
                match outcome {
                    Some(Ok(run)) => {
                        if loading.is_none() {
                            let series = shown
                                .chart
                                .series
                                .iter()
                                .chain(&shown.table.series)
                                .filter(|s| s.query == i);
                            let (count, points) =
                                series.fold((0, 0), |(c, p), s| (c + 1, p + s.timestamps.len()));
                            ui.label(
                                RichText::new(format!(
                                    "{prefix}{count} series, {points} points, {} in {} ms, step {}s",
                                    format_bytes(run.bytes),
                                    run.elapsed.as_millis(),
                                    run.step
                                ))
                                .small()
                                .weak(),
                            );
                        }
                        for w in &run.result.warnings {
                            ui.colored_label(
                                Color32::from_rgb(0xe0, 0xb0, 0x30),
                                format!("{prefix}Warning: {w}"),
                            );
                        }
                        for note in &run.result.infos {
                            ui.label(RichText::new(format!("{prefix}Note: {note}")).weak());
                        }
                    }
                    Some(Err(e)) => error_ui(ui, &prefix, e),
                    None => {}
                }
                if let Some(Some(inspection)) = shown.inspections.get(i) {
                    egui::CollapsingHeader::new(
                        RichText::new(format!("Query inspector {}", MetricsPanel::letter(i)))
                            .small(),
                    )
                    .id_salt(("inspector", id, i))
                    .show(ui, |ui| {
                        query_inspector_ui(ui, ("inspector_grid", id, i), inspection)
                    });
                }
            }
        }
        Some(Err(e)) => error_ui(ui, "", e),
        None => {}
    }
}

fn error_ui(ui: &mut egui::Ui, prefix: &str, e: &SourceError) {
    egui::Frame::new()
        .fill(Color32::from_rgba_unmultiplied(0xf2, 0x49, 0x5c, 0x30))
        .inner_margin(6.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.colored_label(
                Color32::from_rgb(0xf2, 0x49, 0x5c),
                RichText::new(format!("{prefix}{}", e.kind())).strong(),
            );
            ui.label(e.to_string());
        });
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
