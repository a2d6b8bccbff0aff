//! A histogram over time as a heatmap: one column per time, one row per bucket (rows equally
//! tall, labelled with their upper bounds), brighter where more observations fell, with the
//! p50/p90/p99 lines drawn over it.

use super::time_axis::{format_time, tick_label, time_grid, utc_offset};
use super::units::format_value;
use crate::analysis::heatmap_view::HeatmapView;
use crate::model::TimeZoneChoice;
use crate::workspace::Unit;
use egui::Color32;
use egui_plot::{Heatmap, Line, Plot, PlotBounds, PlotPoint, PlotPoints};

/// Dark blue through orange to yellow: low to high.
const PALETTE: &[Color32] = &[
    Color32::from_rgb(0x0b, 0x0b, 0x2a),
    Color32::from_rgb(0x3b, 0x1c, 0x6e),
    Color32::from_rgb(0xb5, 0x36, 0x6b),
    Color32::from_rgb(0xf2, 0x8c, 0x28),
    Color32::from_rgb(0xfc, 0xf5, 0x8b),
];
const OVERLAY_COLORS: [Color32; 3] = [
    Color32::from_rgb(0x73, 0xbf, 0x69),
    Color32::from_rgb(0x8a, 0xb8, 0xff),
    Color32::from_rgb(0xff, 0xff, 0xff),
];

pub fn heatmap_chart_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    view: &HeatmapView,
    (start, end): (f64, f64),
    zone: TimeZoneChoice,
    unit: Unit,
) {
    if view.more > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "The query returned {} histograms; the first is drawn. Aggregate, e.g. sum by (le) (…), to see them as one.",
                view.more + 1
            ),
        );
    }
    let offset = utc_offset(zone, end);
    let bounds = view.bounds.clone();
    let label_bounds = bounds.clone();
    let rows = view.rows;
    // Square roots keep a few busy buckets from washing out the rest.
    let shown: Vec<f64> = view.values.iter().map(|v| v.max(0.0).sqrt()).collect();
    Plot::new(("heatmap", id_salt))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .legend(egui_plot::Legend::default())
        .link_cursor(egui::Id::unique("signalscope-time-cursor"), [true, false])
        .x_grid_spacer(move |input| time_grid(&input, offset))
        .x_axis_formatter(move |mark, range| {
            tick_label(mark.value, range.end() - range.start(), zone)
        })
        .y_axis_formatter(move |mark, _| {
            // Row r's top edge is bucket r's upper bound.
            let r = mark.value.round();
            if (mark.value - r).abs() > 1e-6 || r < 1.0 {
                return String::new();
            }
            label_bounds
                .get(r as usize)
                .map(|b| format_value(*b, unit))
                .unwrap_or_default()
        })
        .label_formatter(move |hover| {
            let p = match hover {
                egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position } => position,
            };
            let row = (p.y.floor().max(0.0) as usize).min(rows.saturating_sub(1));
            let (lo, hi) = (bounds.get(row), bounds.get(row + 1));
            Some(format!(
                "{}\nbucket {} – {}",
                format_time(p.x, zone, "%Y-%m-%d %H:%M:%S"),
                lo.map_or(String::new(), |v| format_value(*v, unit)),
                hi.map_or(String::new(), |v| format_value(*v, unit)),
            ))
        })
        .show(ui, |plot_ui| {
            if view.columns > 0 && view.rows > 0 {
                plot_ui.heatmap(
                    Heatmap::new(shown, view.columns)
                        .palette(PALETTE)
                        .show_labels(false)
                        .at(PlotPoint::new(view.start, 0.0))
                        .tile_size(view.column_width as f32, 1.0)
                        .name("observations"),
                );
            }
            for (i, (q, points)) in view.overlays.iter().enumerate() {
                plot_ui.line(
                    Line::new(
                        format!("p{}", (q * 100.0).round()),
                        PlotPoints::from(points.clone()),
                    )
                    .color(OVERLAY_COLORS[i % OVERLAY_COLORS.len()])
                    .width(1.5),
                );
            }
            plot_ui.set_plot_bounds(PlotBounds::from_min_max(
                [start, 0.0],
                [end, view.rows.max(1) as f64],
            ));
        });
}
