//! A time-series line chart of a query result, drawn with egui_plot.

use super::time_axis::{format_time, tick_label, time_grid, utc_offset};
use crate::analysis::line_segments;
use crate::model::{QueryResult, TimeZoneChoice};
use egui::Color32;
use egui_plot::{Legend, Line, Plot, PlotPoints};

/// Colors for series, in order; chosen to stay apart on dark and light backgrounds.
const PALETTE: &[Color32] = &[
    Color32::from_rgb(0x73, 0xbf, 0x69),
    Color32::from_rgb(0xf2, 0xcc, 0x0c),
    Color32::from_rgb(0x8a, 0xb8, 0xff),
    Color32::from_rgb(0xff, 0x78, 0x0a),
    Color32::from_rgb(0xf2, 0x49, 0x5c),
    Color32::from_rgb(0x56, 0x94, 0xf2),
    Color32::from_rgb(0xb8, 0x77, 0xd9),
    Color32::from_rgb(0x70, 0xdb, 0xed),
];

pub fn series_color(index: usize) -> Color32 {
    PALETTE[index % PALETTE.len()]
}

/// Draws `result` over `[start, end]` (Unix seconds). `step` is the query's step, used to
/// break lines where samples are missing.
pub fn chart_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    result: &QueryResult,
    (start, end): (f64, f64),
    step: f64,
    zone: TimeZoneChoice,
) {
    let offset = utc_offset(zone, end);
    let plot = Plot::new(("chart", id_salt))
        .legend(Legend::default().follow_insertion_order(true))
        .default_x_bounds(start, end)
        .auto_bounds([false, true])
        .allow_scroll(false)
        .x_grid_spacer(move |input| time_grid(&input, offset))
        .x_axis_formatter(move |mark, range| {
            tick_label(mark.value, range.end() - range.start(), zone)
        })
        .label_formatter(move |hover| match hover {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{}\n{}\nvalue: {}",
                format_time(position.x, zone, "%Y-%m-%d %H:%M:%S"),
                plot_name,
                egui_plot::format_number(position.y, 4)
            )),
            egui_plot::HoverPosition::Elsewhere { position } => Some(format!(
                "{}\n{}",
                format_time(position.x, zone, "%Y-%m-%d %H:%M:%S"),
                egui_plot::format_number(position.y, 4)
            )),
        });
    plot.show(ui, |plot_ui| {
        for (i, series) in result.series.iter().enumerate() {
            let name = series.labels.to_string();
            let color = series_color(i);
            for range in line_segments(&series.timestamps, &series.values, step) {
                let points: PlotPoints<'_> = range
                    .map(|j| [series.timestamps[j], series.values[j]])
                    .collect();
                plot_ui.line(Line::new(name.clone(), points).color(color).width(1.5));
            }
        }
    });
}
