//! A time-series line chart of a query result, drawn with egui_plot.

use super::time_axis::{format_time, tick_label, time_grid, utc_offset};
use crate::analysis::line_segments;
use crate::model::{QueryResult, TimeZoneChoice};
use egui::Color32;
use egui_plot::{Legend, Line, Plot, PlotBounds, PlotPoints};

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
    let (y_min, y_max) = value_range(result);
    plot.show(ui, |plot_ui| {
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([start, y_min], [end, y_max]));
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

/// The y range that shows every finite value with a little room above and below.
fn value_range(result: &QueryResult) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in result.series.iter().flat_map(|s| &s.values) {
        if v.is_finite() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Series;

    fn result(values: Vec<f64>) -> QueryResult {
        QueryResult {
            series: vec![Series {
                timestamps: (0..values.len()).map(|i| i as f64).collect(),
                values,
                ..Series::default()
            }],
            ..QueryResult::default()
        }
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
        assert_eq!(
            value_range(&result(vec![0.0, f64::NAN, 10.0])),
            (-0.5, 10.5)
        );
        assert_eq!(value_range(&result(vec![1.0, 1.0])), (0.9, 1.1));
        assert_eq!(value_range(&result(vec![f64::NAN])), (0.0, 1.0));
    }
}
