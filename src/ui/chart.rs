//! A metrics chart drawn with egui_plot: lines, stacked areas or bars, with units, an optional
//! log scale, drag-to-zoom and a crosshair linked across every chart.
//!
//! Each line segment is decimated to the plot's pixel columns (M4) before egui_plot sees it, so
//! egui_plot lays out about four points per pixel column however long the series. Decimating
//! scans every sample; for large results that runs on a worker thread while the frame shows the
//! previous lines, so no frame waits on it.

use super::time_axis::{format_time, tick_label, time_grid, utc_offset};
use super::units::{format_axis, format_value};
use crate::analysis::{line_segments, m4_indices, stack};
use crate::model::{ChartData, TimeZoneChoice};
use crate::workspace::{ChartKind, ChartOptions};
use egui::{Color32, Rect};
use egui_plot::{Bar, BarChart, FilledArea, Line, Plot, PlotBounds, PlotPoint, PlotPoints};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

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

/// Results with more samples than this are decimated on a worker thread.
const BACKGROUND_DECIMATION_POINTS: usize = 200_000;

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

/// What a chart shows this frame.
pub struct ChartView<'a> {
    pub data: &'a Arc<ChartData>,
    pub options: ChartOptions,
    pub zone: TimeZoneChoice,
    /// Names of series the legend has hidden.
    pub hidden: &'a HashSet<String>,
}

/// What the user did on the chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartResponse {
    /// A range dragged across the chart, Unix seconds: the app zooms the global range to it.
    pub zoom_to: Option<(f64, f64)>,
    /// The y range shown (in the axis' own terms: log10 of values on a log scale).
    pub y_range: (f64, f64),
    /// True while lines for this result are still being prepared on a worker thread.
    pub preparing: bool,
    /// The exemplar (index into the data's exemplars) the user clicked.
    pub clicked_exemplar: Option<usize>,
    /// Where the plot area was drawn, in points.
    pub plot_rect: Rect,
}

impl Default for ChartResponse {
    fn default() -> Self {
        Self {
            zoom_to: None,
            y_range: (0.0, 1.0),
            preparing: false,
            clicked_exemplar: None,
            plot_rect: Rect::NOTHING,
        }
    }
}

/// Exemplars drawn at most; more would hide the lines.
const MAX_EXEMPLARS: usize = 2_000;
const EXEMPLAR_COLOR: Color32 = Color32::from_rgb(0xff, 0xff, 0xff);

/// Draws the chart over the data's range.
pub fn chart_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    view: ChartView<'_>,
) -> ChartResponse {
    let ChartView {
        data,
        options,
        zone,
        hidden,
    } = view;
    let (start, end) = (data.start, data.end);
    let offset = utc_offset(zone, end);
    let unit = options.unit;
    let log = options.log_scale;
    let cache_id = ui.make_persistent_id(("chart_lines", &id_salt));
    let drag_id = ui.make_persistent_id(("chart_drag", &id_salt));
    let plot = Plot::new(("chart", &id_salt))
        // The chart always shows the global time range; dragging selects a range to zoom to.
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .link_cursor(egui::Id::unique("signalscope-time-cursor"), [true, false])
        .x_grid_spacer(move |input| time_grid(&input, offset))
        .x_axis_formatter(move |mark, range| {
            tick_label(mark.value, range.end() - range.start(), zone)
        })
        .y_axis_formatter(move |mark, _range| {
            format_axis(
                if log {
                    10f64.powf(mark.value)
                } else {
                    mark.value
                },
                unit,
            )
        })
        .label_formatter(move |hover| {
            let (name, position) = match hover {
                egui_plot::HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (Some(plot_name), position),
                egui_plot::HoverPosition::Elsewhere { position } => (None, position),
            };
            let y = if log {
                10f64.powf(position.y)
            } else {
                position.y
            };
            let time = format_time(position.x, zone, "%Y-%m-%d %H:%M:%S");
            match name {
                Some(name) => Some(format!("{time}\n{name}\nvalue: {}", format_value(y, unit))),
                None => Some(format!("{time}\n{}", format_value(y, unit))),
            }
        });
    let pixels_per_point = ui.ctx().pixels_per_point();
    let ctx = ui.ctx().clone();
    let hidden_key = hidden_hash(hidden);
    plot.show(ui, |plot_ui| {
        let (x_range, columns) =
            pixel_columns(plot_ui.response().rect, pixels_per_point, (start, end));
        let key = LinesKey {
            data: data.id,
            x_range: (x_range.0.to_bits(), x_range.1.to_bits()),
            columns,
            kind: options.kind,
            log,
            hidden: hidden_key,
        };
        let (lines, preparing) = lines_for(&ctx, cache_id, data, hidden, key, x_range, columns);
        let mut response = ChartResponse {
            preparing,
            ..ChartResponse::default()
        };
        if let Some(lines) = &lines {
            draw_lines(plot_ui, data, lines, options.kind);
        }
        let y_of = |v: f64| if log { v.log10() } else { v };
        for e in data.exemplars.iter().take(MAX_EXEMPLARS) {
            if !(start..=end).contains(&e.time) || !y_of(e.value).is_finite() {
                continue;
            }
            let name = match e.trace_id {
                Some(t) => format!("exemplar trace {t}\n{}\n{}", e.labels, e.series),
                None => format!("exemplar {}\n{}", e.labels, e.series),
            };
            plot_ui.points(
                egui_plot::Points::new(name, vec![[e.time, y_of(e.value)]])
                    .shape(egui_plot::MarkerShape::Diamond)
                    .radius(4.0)
                    .color(EXEMPLAR_COLOR),
            );
        }
        let (y_min, y_max) = lines
            .as_ref()
            .map_or((0.0, 1.0), |l| l.y_range.padded(options.kind));
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([start, y_min], [end, y_max]));
        response.y_range = (y_min, y_max);
        response.zoom_to = drag_zoom(plot_ui, &ctx, drag_id);
        response.plot_rect = plot_ui.response().rect;
        if plot_ui.response().clicked()
            && let Some(pointer) = plot_ui.response().interact_pointer_pos()
        {
            response.clicked_exemplar = nearest_exemplar(plot_ui, data, pointer, log);
        }
        response
    })
    .inner
}

/// The exemplar drawn within a few points of `pointer`, nearest first.
fn nearest_exemplar(
    plot_ui: &egui_plot::PlotUi<'_>,
    data: &ChartData,
    pointer: egui::Pos2,
    log: bool,
) -> Option<usize> {
    data.exemplars
        .iter()
        .take(MAX_EXEMPLARS)
        .enumerate()
        .filter_map(|(i, e)| {
            let y = if log { e.value.log10() } else { e.value };
            let at = plot_ui.screen_from_plot(PlotPoint::new(e.time, y));
            let distance = at.distance(pointer);
            (distance <= 8.0).then_some((i, distance))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Tracks a primary-button drag across the plot, shades the selection, and returns the range
/// when the drag ends (ignoring drags narrower than a few pixels, which are clicks).
pub(crate) fn drag_zoom(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    ctx: &egui::Context,
    drag_id: egui::Id,
) -> Option<(f64, f64)> {
    let response = plot_ui.response().clone();
    let pointer = plot_ui.pointer_coordinate();
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(p) = pointer
    {
        ctx.data_mut(|d| d.insert_temp(drag_id, (p.x, response.interact_pointer_pos())));
    }
    let anchor: Option<(f64, Option<egui::Pos2>)> = ctx.data(|d| d.get_temp(drag_id));
    let (anchor_x, anchor_pos) = anchor?;
    let current_x = pointer.map_or(anchor_x, |p| p.x);
    let (low, high) = (anchor_x.min(current_x), anchor_x.max(current_x));
    if response.dragged() {
        plot_ui.span(
            egui_plot::Span::new("selection", low..=high)
                .fill(Color32::from_rgba_unmultiplied(0x8a, 0xb8, 0xff, 40)),
        );
        return None;
    }
    ctx.data_mut(|d| d.remove::<(f64, Option<egui::Pos2>)>(drag_id));
    let moved = match (anchor_pos, response.interact_pointer_pos()) {
        (Some(a), Some(b)) => (a.x - b.x).abs(),
        _ => 0.0,
    };
    (moved >= 4.0 && high > low).then_some((low, high))
}

fn draw_lines(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    data: &ChartData,
    lines: &DecimatedLines,
    kind: ChartKind,
) {
    // Stacked areas are drawn top of the stack first so every band stays visible.
    for segment in lines
        .segments
        .iter()
        .rev()
        .filter(|_| kind == ChartKind::StackedArea)
    {
        let Some(series) = data.series.get(segment.series) else {
            continue;
        };
        let color = series_color(segment.series);
        let xs: Vec<f64> = segment.points.iter().map(|p| p.x).collect();
        let upper: Vec<f64> = segment.points.iter().map(|p| p.y).collect();
        plot_ui.add(
            FilledArea::new(&series.name, &xs, &segment.lower, &upper)
                .fill_color(color.gamma_multiply(0.45))
                .stroke(egui::Stroke::new(1.0, color)),
        );
    }
    if kind == ChartKind::StackedArea {
        return;
    }
    for segment in &lines.segments {
        let Some(series) = data.series.get(segment.series) else {
            continue;
        };
        let color = series_color(segment.series);
        match kind {
            ChartKind::Bars => {
                let bars = segment
                    .points
                    .iter()
                    .map(|p| Bar::new(p.x, p.y).width(lines.bar_width))
                    .collect();
                plot_ui.bar_chart(BarChart::new(&series.name, bars).color(color));
            }
            _ => plot_ui.line(
                Line::new(&series.name, PlotPoints::Owned(segment.points.clone()))
                    .color(color)
                    .width(1.5),
            ),
        }
    }
}

/// The decimated lines for `key`: from the cache, computed now for small results, or computed
/// on a worker thread for large ones (then the previous lines, if any, show meanwhile).
fn lines_for(
    ctx: &egui::Context,
    cache_id: egui::Id,
    data: &Arc<ChartData>,
    hidden: &HashSet<String>,
    key: LinesKey,
    x_range: (f64, f64),
    columns: usize,
) -> (Option<Arc<DecimatedLines>>, bool) {
    let slot: Arc<Mutex<LinesSlot>> = ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Arc<Mutex<LinesSlot>>>(cache_id)
            .clone()
    });
    let Ok(mut guard) = slot.lock() else {
        return (None, false);
    };
    if let Some(done) = guard
        .pending
        .take_if(|p| p.key == key && p.result.is_some())
    {
        guard.current = done.result;
    }
    if let Some(current) = guard.current.as_ref().filter(|c| c.key == key) {
        return (Some(Arc::clone(current)), false);
    }
    let visible: Vec<bool> = data
        .series
        .iter()
        .map(|s| !hidden.contains(&s.name))
        .collect();
    if data.point_count() <= BACKGROUND_DECIMATION_POINTS {
        let lines = Arc::new(decimate(data, &visible, key, x_range, columns));
        guard.current = Some(Arc::clone(&lines));
        guard.pending = None;
        return (Some(lines), false);
    }
    if guard.pending.as_ref().is_none_or(|p| p.key != key) {
        guard.pending = Some(PendingLines { key, result: None });
        let (slot, data, ctx) = (Arc::clone(&slot), Arc::clone(data), ctx.clone());
        std::thread::spawn(move || {
            let lines = Arc::new(decimate(&data, &visible, key, x_range, columns));
            if let Ok(mut guard) = slot.lock()
                && let Some(pending) = guard.pending.as_mut().filter(|p| p.key == key)
            {
                pending.result = Some(lines);
            }
            ctx.request_repaint();
        });
    }
    // Stale lines of the same result (e.g. before a resize) are better than a blank chart.
    let previous = guard
        .current
        .as_ref()
        .filter(|c| c.key.data == key.data)
        .cloned();
    (previous, true)
}

/// What decimated lines depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LinesKey {
    data: u64,
    x_range: (u64, u64),
    columns: usize,
    kind: ChartKind,
    log: bool,
    hidden: u64,
}

#[derive(Default)]
struct LinesSlot {
    current: Option<Arc<DecimatedLines>>,
    pending: Option<PendingLines>,
}

struct PendingLines {
    key: LinesKey,
    result: Option<Arc<DecimatedLines>>,
}

/// One unbroken piece of a series as drawn.
struct Segment {
    series: usize,
    points: Vec<PlotPoint>,
    /// For stacked areas: the top of the band below, at the same x.
    lower: Vec<f64>,
}

/// A result's lines as drawn: each segment decimated to the plot's pixel columns.
struct DecimatedLines {
    key: LinesKey,
    segments: Vec<Segment>,
    y_range: ValueRange,
    bar_width: f64,
}

fn decimate(
    data: &ChartData,
    visible: &[bool],
    key: LinesKey,
    x_range: (f64, f64),
    columns: usize,
) -> DecimatedLines {
    let shown: Vec<usize> = (0..data.series.len())
        .filter(|&i| visible.get(i).copied().unwrap_or(true))
        .collect();
    let stacked = (key.kind == ChartKind::StackedArea)
        .then(|| stack(&shown.iter().map(|&i| &data.series[i]).collect::<Vec<_>>()));
    let mut y_range = ValueRange::default();
    if stacked.is_some() || key.kind == ChartKind::Bars {
        // Areas and bars rise from zero.
        y_range.add([0.0]);
    }
    let mut keep = Vec::new();
    let mut segments = Vec::new();
    let mut scratch = Vec::new();
    for (n, &i) in shown.iter().enumerate() {
        let series = &data.series[i];
        let raw: &[f64] = match &stacked {
            Some(stacked) => &stacked[n],
            None => &series.values,
        };
        let values: &[f64] = if key.log {
            scratch.clear();
            scratch.extend(
                raw.iter()
                    .map(|&v| if v > 0.0 { v.log10() } else { f64::NAN }),
            );
            &scratch
        } else {
            raw
        };
        for range in line_segments(&series.timestamps, values, series.step) {
            let timestamps = &series.timestamps[range.clone()];
            let segment_values = &values[range];
            m4_indices(timestamps, segment_values, x_range, columns, &mut keep);
            y_range.add_segment(timestamps, segment_values, &keep, x_range);
            let points: Vec<PlotPoint> = keep
                .iter()
                .map(|&j| PlotPoint::new(timestamps[j], segment_values[j]))
                .collect();
            let lower = match (&stacked, n) {
                (Some(stacked), n) if n > 0 => {
                    let below = &data.series[shown[n - 1]];
                    points
                        .iter()
                        .map(|p| value_at(&below.timestamps, &stacked[n - 1], p.x))
                        .collect()
                }
                _ => vec![0.0; points.len()],
            };
            segments.push(Segment {
                series: i,
                points,
                lower,
            });
        }
    }
    let column_width = (x_range.1 - x_range.0) / columns.max(1) as f64;
    DecimatedLines {
        key,
        segments,
        y_range,
        bar_width: data.step().min(f64::MAX).max(column_width) * 0.9,
    }
}

/// The value at time `t` in a sorted series, or 0 where it has none (a gap in the stack).
fn value_at(timestamps: &[f64], values: &[f64], t: f64) -> f64 {
    let i = timestamps.partition_point(|&x| x < t - 1e-3);
    match (timestamps.get(i), values.get(i)) {
        (Some(&x), Some(&v)) if (x - t).abs() <= 1e-3 && v.is_finite() => v,
        _ => 0.0,
    }
}

fn hidden_hash(hidden: &HashSet<String>) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut names: Vec<&String> = hidden.iter().collect();
    names.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    names.hash(&mut hasher);
    hasher.finish()
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

    /// The y range that shows every value seen with a little room above and below (and none
    /// below zero for areas and bars that rise from it).
    fn padded(self, kind: ChartKind) -> (f64, f64) {
        let Self { low, high } = self;
        if low > high {
            return (0.0, 1.0);
        }
        let pad = if high > low {
            (high - low) * 0.05
        } else {
            low.abs().max(1.0) * 0.1
        };
        let floor = match kind {
            ChartKind::StackedArea | ChartKind::Bars if low >= 0.0 => 0.0,
            _ => low - pad,
        };
        (floor, high + pad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartSeries, Labels, SeriesStats};

    fn value_range(values: &[f64]) -> (f64, f64) {
        let mut range = ValueRange::default();
        range.add(values.iter().copied());
        range.padded(ChartKind::Lines)
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
    fn value_range_pads_and_ignores_non_finite_values() {
        assert_eq!(value_range(&[0.0, f64::NAN, 10.0]), (-0.5, 10.5));
        assert_eq!(value_range(&[1.0, 1.0]), (0.9, 1.1));
        assert_eq!(value_range(&[f64::NAN]), (0.0, 1.0));
        assert_eq!(value_range(&[]), (0.0, 1.0));
        let mut bars = ValueRange::default();
        bars.add([2.0, 12.0]);
        assert_eq!(bars.padded(ChartKind::Bars), (0.0, 12.5));
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

    fn data(series: &[(&str, &[f64])]) -> ChartData {
        ChartData {
            id: 1,
            start: 0.0,
            end: 3.0,
            series: series
                .iter()
                .map(|(name, values)| ChartSeries {
                    query: 0,
                    name: (*name).into(),
                    labels: Labels::default(),
                    timestamps: (0..values.len()).map(|i| i as f64).collect(),
                    values: values.to_vec(),
                    step: 1.0,
                    stats: SeriesStats::default(),
                })
                .collect(),
            total_series: series.len(),
            exemplars: Vec::new(),
        }
    }

    fn key(kind: ChartKind, log: bool) -> LinesKey {
        LinesKey {
            data: 1,
            x_range: (0, 0),
            columns: 100,
            kind,
            log,
            hidden: 0,
        }
    }

    #[test]
    fn stacked_areas_sit_on_the_series_below() {
        let d = data(&[
            ("a", &[1.0, 2.0, 3.0, 4.0]),
            ("b", &[10.0, 10.0, 10.0, 10.0]),
        ]);
        let lines = decimate(
            &d,
            &[true, true],
            key(ChartKind::StackedArea, false),
            (0.0, 3.0),
            100,
        );
        let b = &lines.segments[1];
        assert_eq!(b.series, 1);
        assert_eq!(
            b.points.iter().map(|p| p.y).collect::<Vec<_>>(),
            [11.0, 12.0, 13.0, 14.0]
        );
        assert_eq!(b.lower, [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(lines.segments[0].lower, [0.0; 4]);
        assert_eq!(lines.y_range.padded(ChartKind::StackedArea).0, 0.0);
    }

    #[test]
    fn hidden_series_are_not_drawn_and_log_scale_drops_non_positive_values() {
        let d = data(&[
            ("a", &[1.0, 10.0, 100.0, 0.0]),
            ("b", &[5.0, 5.0, 5.0, 5.0]),
        ]);
        let lines = decimate(
            &d,
            &[true, false],
            key(ChartKind::Lines, true),
            (0.0, 3.0),
            100,
        );
        assert!(lines.segments.iter().all(|s| s.series == 0));
        let ys: Vec<f64> = lines
            .segments
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.y))
            .collect();
        assert_eq!(ys, [0.0, 1.0, 2.0]);
    }
}
