//! The logs volume histogram above the table: lines per time bucket stacked by level; drag
//! across it to zoom the global time range.

use super::chart::drag_zoom;
use super::time_axis::{tick_label, time_grid, utc_offset};
use crate::analysis::log_volume::{LogVolume, VOLUME_LEVELS};
use crate::model::TimeZoneChoice;
use egui::Color32;
use egui_plot::{Bar, BarChart, Plot, PlotBounds};

/// Colors per level slot, matching the table's level colors.
const LEVEL_COLORS: [Color32; 6] = [
    Color32::GRAY,
    Color32::from_rgb(0x56, 0x94, 0xf2),
    Color32::from_rgb(0x73, 0xbf, 0x69),
    Color32::from_rgb(0xf2, 0xcc, 0x0c),
    Color32::from_rgb(0xf2, 0x49, 0x5c),
    Color32::from_rgb(0xb8, 0x77, 0xd9),
];

/// Draws the histogram over `[start, end]` (Unix seconds); returns a dragged range to zoom to.
pub fn log_volume_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    volume: &LogVolume,
    (start, end): (f64, f64),
    zone: TimeZoneChoice,
    height: f32,
) -> Option<(f64, f64)> {
    let offset = utc_offset(zone, end);
    let drag_id = ui.make_persistent_id(("volume_drag", &id_salt));
    let width = volume.bucket_ns as f64 / 1e9;
    let top = volume
        .counts
        .iter()
        .map(|c| c.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let ctx = ui.ctx().clone();
    Plot::new(("log_volume", &id_salt))
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_y(false)
        .legend(egui_plot::Legend::default())
        .link_cursor(egui::Id::unique("signalscope-time-cursor"), [true, false])
        .x_grid_spacer(move |input| time_grid(&input, offset))
        .x_axis_formatter(move |mark, range| {
            tick_label(mark.value, range.end() - range.start(), zone)
        })
        .show(ui, |plot_ui| {
            let mut below: Vec<BarChart> = Vec::new();
            for (slot, name) in VOLUME_LEVELS.iter().enumerate() {
                if volume.counts.iter().all(|c| c[slot] == 0) {
                    continue;
                }
                let bars = volume
                    .counts
                    .iter()
                    .enumerate()
                    .map(|(b, c)| {
                        let x = volume.start_ns as f64 / 1e9 + (b as f64 + 0.5) * width;
                        Bar::new(x, f64::from(c[slot])).width(width * 0.9)
                    })
                    .collect();
                let refs: Vec<&BarChart> = below.iter().collect();
                let chart = BarChart::new(*name, bars)
                    .color(LEVEL_COLORS[slot])
                    .stack_on(&refs);
                below.push(chart);
            }
            for chart in below {
                plot_ui.bar_chart(chart);
            }
            plot_ui.set_plot_bounds(PlotBounds::from_min_max([start, 0.0], [end, top * 1.1]));
            drag_zoom(plot_ui, &ctx, drag_id)
        })
        .inner
}
