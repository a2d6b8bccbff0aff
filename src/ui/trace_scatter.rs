//! The duration-over-time scatter above a traces panel's list: one point per listed trace at
//! its start time and duration, error traces in red. A click near a point opens that trace.
//! Each point is also a hover-only widget named after its trace, for screen readers and tests.

use super::time_axis::{format_time, tick_label, time_grid, utc_offset};
use super::traces_panel::format_duration_ns;
use crate::model::{TimeZoneChoice, TraceId, TraceSummary};
use egui::{Color32, Sense};
use egui_plot::{MarkerShape, Plot, PlotPoint, Points};

/// The tallest the scatter gets; below `MIN_SCATTER_HEIGHT` it is not worth drawing.
pub const SCATTER_HEIGHT: f32 = 140.0;
pub const MIN_SCATTER_HEIGHT: f32 = 100.0;
const ERROR_COLOR: Color32 = Color32::from_rgb(0xf2, 0x49, 0x5c);
const OK_COLOR: Color32 = Color32::from_rgb(0x5a, 0x9b, 0xf0);
/// How far from a point, in points, a click still picks it.
const PICK_DISTANCE: f32 = 8.0;

/// The accessible name of a trace's point: `trace 4bf92f35: frontend GET /, 12.00 ms`.
pub fn point_name(t: &TraceSummary) -> String {
    let id = t.trace_id.to_string();
    format!(
        "trace {}: {} {}, {}",
        id.get(..8).unwrap_or(&id),
        t.root_service,
        t.root_name,
        format_duration_ns(t.duration_ns)
    )
}

/// Draws the scatter of `list`, `height` points tall; returns the trace whose point was
/// clicked.
pub fn trace_scatter_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    list: &[TraceSummary],
    zone: TimeZoneChoice,
    open: Option<TraceId>,
    height: f32,
) -> Option<TraceId> {
    let position = |t: &TraceSummary| [t.start_ns as f64 / 1e9, t.duration_ns as f64 / 1e6];
    let end = list.iter().map(|t| t.start_ns).max().unwrap_or(0) as f64 / 1e9;
    let offset = utc_offset(zone, end);
    let ring = ui.visuals().strong_text_color();
    let plot = Plot::new(("trace_scatter", &id_salt))
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .include_y(0.0)
        // Room around the extreme points so none sits on the frame.
        .set_margin_fraction(egui::vec2(0.04, 0.12))
        .x_grid_spacer(move |input| time_grid(&input, offset))
        .x_axis_formatter(move |mark, range| {
            tick_label(mark.value, range.end() - range.start(), zone)
        })
        .y_axis_formatter(|mark, _| format_duration_ns((mark.value.max(0.0) * 1e6) as u64))
        .label_formatter(move |hover| {
            let p = match hover {
                egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position } => position,
            };
            Some(format!(
                "{}\n{}",
                format_time(p.x, zone, "%Y-%m-%d %H:%M:%S"),
                format_duration_ns((p.y.max(0.0) * 1e6) as u64)
            ))
        });
    let (clicked, screen) = plot
        .show(ui, |plot_ui| {
            let (errors, ok): (Vec<&TraceSummary>, Vec<&TraceSummary>) =
                list.iter().partition(|t| t.error_count > 0);
            for (name, traces, color) in [
                ("traces", ok, OK_COLOR),
                ("error traces", errors, ERROR_COLOR),
            ] {
                if traces.is_empty() {
                    continue;
                }
                let points: Vec<[f64; 2]> = traces.iter().map(|t| position(t)).collect();
                plot_ui.points(
                    Points::new(name, points)
                        .shape(MarkerShape::Circle)
                        .filled(true)
                        .radius(3.5)
                        .color(color),
                );
            }
            if let Some(t) = open.and_then(|id| list.iter().find(|t| t.trace_id == id)) {
                plot_ui.points(
                    Points::new("open trace", vec![position(t)])
                        .shape(MarkerShape::Circle)
                        .filled(false)
                        .radius(7.0)
                        .color(ring),
                );
            }
            let screen: Vec<egui::Pos2> = list
                .iter()
                .map(|t| {
                    let [x, y] = position(t);
                    plot_ui.screen_from_plot(PlotPoint::new(x, y))
                })
                .collect();
            let response = plot_ui.response();
            let clicked = response
                .clicked()
                .then(|| response.interact_pointer_pos())
                .flatten()
                .and_then(|pointer| nearest(&screen, pointer));
            (clicked, screen)
        })
        .inner;
    let clip = ui.clip_rect();
    for (i, (t, at)) in list.iter().zip(&screen).enumerate() {
        if !clip.contains(*at) {
            continue;
        }
        let rect = egui::Rect::from_center_size(*at, egui::vec2(6.0, 6.0));
        let response = ui.interact(
            rect,
            ui.make_persistent_id(("trace_point", &id_salt, i)),
            Sense::hover(),
        );
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, point_name(t)));
    }
    clicked.map(|i| list[i].trace_id)
}

/// The index of the point within `PICK_DISTANCE` of `pointer`, nearest first.
fn nearest(points: &[egui::Pos2], pointer: egui::Pos2) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.distance(pointer)))
        .filter(|&(_, d)| d <= PICK_DISTANCE)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}
