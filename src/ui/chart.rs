//! A time-series line chart of a query result, drawn with egui_plot.
//!
//! Each line segment is decimated to the plot's pixel columns (M4) before egui_plot sees it,
//! so egui_plot lays out and tessellates about four points per pixel column however long the
//! series; the samples themselves are still scanned every frame (line breaks, extremes).

use super::time_axis::{format_time, tick_label, time_grid, utc_offset};
use crate::analysis::{line_segments, m4_indices};
use crate::model::{QueryResult, TimeZoneChoice};
use egui::{Color32, Rect};
use egui_plot::{Legend, Line, Plot, PlotBounds, PlotPoint, PlotPoints};
use std::sync::Arc;

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

/// A stable color per service name, the same in every panel.
pub fn service_color(name: &str) -> Color32 {
    let hash = name.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    PALETTE[hash as usize % PALETTE.len()]
}

/// Draws `result` over `[start, end]` (Unix seconds) and returns the y range it shows.
/// `step` is the query's step, used to
/// break lines where samples are missing. Lines are decimated to the plot's pixel columns.
#[allow(clippy::too_many_arguments)] // What to draw, where, and the result's identity for the cache.
pub fn chart_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    data_id: u64,
    result: &QueryResult,
    (start, end): (f64, f64),
    step: f64,
    zone: TimeZoneChoice,
) -> (f64, f64) {
    let offset = utc_offset(zone, end);
    // One cache slot per chart, replaced when the result, range or width changes.
    let cache_id = ui.make_persistent_id(("chart_lines", &id_salt));
    let plot = Plot::new(("chart", id_salt))
        .legend(Legend::default().follow_insertion_order(true))
        // The chart always shows the global time range; zooming it is the top bar's job.
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .x_grid_spacer(move |input| time_grid(&input, offset))
        .x_axis_formatter(move |mark, range| {
            tick_label(mark.value, range.end() - range.start(), zone)
        })
        .y_axis_formatter(|mark, _range| format_si(mark.value))
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
    let pixels_per_point = ui.ctx().pixels_per_point();
    let ctx = ui.ctx().clone();
    plot.show(ui, |plot_ui| {
        // This frame's plot area, which the bounds set below are mapped onto.
        let (x_range, columns) =
            pixel_columns(plot_ui.response().rect, pixels_per_point, (start, end));
        // Decimating scans every sample; do it once per result, range and pixel width, and
        // reuse it while only the frame is redrawn (hover, animations, other panels).
        let key = (
            data_id,
            x_range.0.to_bits(),
            x_range.1.to_bits(),
            columns,
            step.to_bits(),
        );
        let cached: Option<Arc<DecimatedLines>> = ctx
            .data(|d| d.get_temp::<Arc<DecimatedLines>>(cache_id))
            .filter(|c| c.key == key);
        let lines = cached.unwrap_or_else(|| {
            let lines = Arc::new(decimate(result, x_range, columns, step, key));
            ctx.data_mut(|d| d.insert_temp(cache_id, Arc::clone(&lines)));
            lines
        });
        for (series, points) in &lines.lines {
            let Some(series_data) = result.series.get(*series) else {
                continue;
            };
            let name = series_data.labels.to_string();
            plot_ui.line(
                Line::new(name, PlotPoints::Owned(points.clone()))
                    .color(series_color(*series))
                    .width(1.5),
            );
        }
        let (y_min, y_max) = lines.y_range.padded();
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([start, y_min], [end, y_max]));
        (y_min, y_max)
    })
    .inner
}

/// A result's lines as drawn: each segment decimated to the plot's pixel columns.
struct DecimatedLines {
    key: (u64, u64, u64, usize, u64),
    /// (series index, points of one segment)
    lines: Vec<(usize, Vec<PlotPoint>)>,
    y_range: ValueRange,
}

fn decimate(
    result: &QueryResult,
    x_range: (f64, f64),
    columns: usize,
    step: f64,
    key: (u64, u64, u64, usize, u64),
) -> DecimatedLines {
    let mut y_range = ValueRange::default();
    let mut keep = Vec::new();
    let mut lines = Vec::new();
    for (i, series) in result.series.iter().enumerate() {
        for range in line_segments(&series.timestamps, &series.values, step) {
            let timestamps = &series.timestamps[range.clone()];
            let values = &series.values[range];
            m4_indices(timestamps, values, x_range, columns, &mut keep);
            y_range.add_segment(timestamps, values, &keep, x_range);
            let points = keep
                .iter()
                .map(|&j| PlotPoint::new(timestamps[j], values[j]))
                .collect();
            lines.push((i, points));
        }
    }
    DecimatedLines {
        key,
        lines,
        y_range,
    }
}

/// The x range and number of the physical pixel columns that `plot_rect` covers when it shows
/// `[start, end]`: the range runs from the left edge of the pixel under the rect's left edge
/// to the right edge of the pixel under its right edge, so that M4's columns are the pixels.
fn pixel_columns(
    plot_rect: Rect,
    pixels_per_point: f32,
    (start, end): (f64, f64),
) -> ((f64, f64), usize) {
    let ppp = f64::from(pixels_per_point);
    let (left, right) = (f64::from(plot_rect.left()), f64::from(plot_rect.right()));
    let (first, last) = ((left * ppp).floor(), (right * ppp).ceil());
    let width = right - left;
    if !(width > 0.0 && end > start && ppp > 0.0) {
        // Nothing sensible to align to: one column still bounds the work.
        return ((start, end), 1);
    }
    let value_at = |pixel: f64| start + (pixel / ppp - left) / width * (end - start);
    (
        (value_at(first), value_at(last)),
        (last - first).max(1.0) as usize,
    )
}

/// Axis numbers with SI prefixes: `30000000` → `30M`, `0.002` → `2m`.
pub fn format_si(v: f64) -> String {
    const PREFIXES: &[(f64, &str)] = &[
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "µ"),
        (1e-9, "n"),
    ];
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let (scale, prefix) = PREFIXES
        .iter()
        .find(|(s, _)| v.abs() >= *s)
        .copied()
        .unwrap_or((1e-9, "n"));
    let scaled = v / scale;
    // Up to three significant decimals, without trailing zeros.
    let text = format!("{scaled:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{prefix}")
}

/// The lowest and highest finite value seen.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ValueRange {
    low: f64,
    high: f64,
}

impl Default for ValueRange {
    fn default() -> Self {
        Self {
            low: f64::INFINITY,
            high: f64::NEG_INFINITY,
        }
    }
}

impl ValueRange {
    fn add(&mut self, values: impl IntoIterator<Item = f64>) {
        for v in values {
            if v.is_finite() {
                self.low = self.low.min(v);
                self.high = self.high.max(v);
            }
        }
    }

    /// Adds every value of a line segment, reading only what M4 kept of it (`keep`) inside
    /// `x_range`, which holds each pixel column's extremes, and everything outside it.
    fn add_segment(
        &mut self,
        timestamps: &[f64],
        values: &[f64],
        keep: &[usize],
        x_range: (f64, f64),
    ) {
        let before = timestamps.partition_point(|&t| t < x_range.0);
        let after = timestamps.partition_point(|&t| t <= x_range.1);
        self.add(values[..before].iter().copied());
        self.add(values[after.max(before)..].iter().copied());
        self.add(keep.iter().map(|&j| values[j]));
    }

    /// The y range that shows every value seen with a little room above and below.
    fn padded(self) -> (f64, f64) {
        let Self { low, high } = self;
        if low > high {
            return (0.0, 1.0);
        }
        let pad = if high > low {
            (high - low) * 0.05
        } else {
            low.abs().max(1.0) * 0.1
        };
        (low - pad, high + pad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_range(values: &[f64]) -> (f64, f64) {
        let mut range = ValueRange::default();
        range.add(values.iter().copied());
        range.padded()
    }

    #[test]
    fn pixel_columns_are_the_physical_pixels_under_the_plot() {
        let rect = Rect::from_min_max(egui::pos2(10.0, 0.0), egui::pos2(110.0, 50.0));
        assert_eq!(pixel_columns(rect, 1.0, (0.0, 100.0)), ((0.0, 100.0), 100));
        assert_eq!(pixel_columns(rect, 2.0, (0.0, 100.0)), ((0.0, 100.0), 200));
        // Edges inside a pixel: the columns cover the whole pixels at both ends.
        let rect = Rect::from_min_max(egui::pos2(10.5, 0.0), egui::pos2(20.5, 50.0));
        assert_eq!(pixel_columns(rect, 1.0, (0.0, 10.0)), ((-0.5, 10.5), 11));
        assert_eq!(pixel_columns(rect, 2.0, (0.0, 10.0)), ((0.0, 10.0), 20));
        // Degenerate ranges and rects still give one column.
        assert_eq!(pixel_columns(rect, 1.0, (5.0, 5.0)), ((5.0, 5.0), 1));
        let flat = Rect::from_min_max(egui::pos2(10.0, 0.0), egui::pos2(10.0, 50.0));
        assert_eq!(pixel_columns(flat, 1.0, (0.0, 1.0)), ((0.0, 1.0), 1));
    }

    #[test]
    fn si_prefixes_shorten_axis_numbers() {
        assert_eq!(format_si(30_000_000.0), "30M");
        assert_eq!(format_si(1500.0), "1.5k");
        assert_eq!(format_si(0.002), "2m");
        assert_eq!(format_si(-0.5), "-500m");
        assert_eq!(format_si(1.0), "1");
        assert_eq!(format_si(0.0), "0");
    }

    #[test]
    fn value_range_pads_and_ignores_non_finite_values() {
        assert_eq!(value_range(&[0.0, f64::NAN, 10.0]), (-0.5, 10.5));
        assert_eq!(value_range(&[1.0, 1.0]), (0.9, 1.1));
        assert_eq!(value_range(&[f64::NAN]), (0.0, 1.0));
        assert_eq!(value_range(&[]), (0.0, 1.0));
    }

    #[test]
    fn decimated_segment_gives_the_value_range_of_all_its_samples() {
        // Extremes far outside the visible range, and inside it hidden among many samples.
        let t: Vec<f64> = (0..1000).map(f64::from).collect();
        let v: Vec<f64> = (0..1000)
            .map(|i| match i {
                3 => -50.0,
                500 => 90.0,
                996 => 80.0,
                _ => f64::from((i * 37) % 11),
            })
            .collect();
        let mut full = ValueRange::default();
        full.add(v.iter().copied());
        for x_range in [(100.0, 900.0), (0.0, 999.0), (-10.0, 2.0), (2000.0, 3000.0)] {
            let mut keep = Vec::new();
            crate::analysis::m4_indices(&t, &v, x_range, 20, &mut keep);
            assert!(keep.len() < 100, "{x_range:?} was decimated");
            let mut decimated = ValueRange::default();
            decimated.add_segment(&t, &v, &keep, x_range);
            assert_eq!(decimated, full, "{x_range:?}");
        }
    }
}
