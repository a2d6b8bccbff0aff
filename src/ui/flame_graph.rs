//! Flame graphs of the open trace: the icicle (every span a frame on the trace's time axis,
//! children below their parent) and the aggregated graph (identical service/operation stacks
//! merged). One colour per service, the operation's name inside a frame when it fits, details
//! on hover; a click on an icicle frame selects its span (the waterfall's selection).
//! Ctrl+scroll zooms around the pointer, a drag pans, a double click shows everything again.
//!
//! Frames come depth-first with their subtree's end, so a frame off screen or thinner than a
//! pixel is skipped with its whole subtree: a million-span trace draws only what can be seen.

use super::chart::service_color;
use super::traces_panel::format_duration_ns;
use super::waterfall::{select_span, selected_span};
use crate::analysis::AnalysedTrace;
use crate::model::SpanStatus;
use egui::{Color32, Rect, Sense, Stroke, pos2};
use std::ops::Range;
use std::sync::Arc;

/// Height of one depth level, px.
pub const FRAME_HEIGHT: f32 = 18.0;
/// Frames narrower than this (px) are not drawn, nor is anything below them.
pub const MIN_FRAME_PX: f64 = 1.0;
/// Frames at least this wide (px) carry their operation's name.
const LABEL_MIN_PX: f32 = 28.0;
const ERROR_COLOR: Color32 = Color32::from_rgb(0xf2, 0x49, 0x5c);

/// Where a frame sits, as the culling sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameExtent {
    pub start_ns: u64,
    pub end_ns: u64,
    pub depth: u32,
    /// One past the last frame of this frame's subtree (frames are depth-first).
    pub subtree_end: usize,
}

/// The frames to draw, in order: those overlapping `view_ns` (a time range on the frames'
/// axis, shown across `width_px`), at least [`MIN_FRAME_PX`] wide and at a depth in `depths`.
/// A frame culled for its position, width or depth below `depths` takes its whole subtree
/// with it; frames above `depths` are not drawn but their children may be.
pub fn visible_frames(
    len: usize,
    extent: impl Fn(usize) -> FrameExtent,
    view_ns: (f64, f64),
    depths: Range<u32>,
    width_px: f32,
) -> Vec<usize> {
    let width_px = f64::from(width_px);
    let scale = width_px / (view_ns.1 - view_ns.0).max(1e-9);
    let mut out = Vec::new();
    let mut i = 0;
    while i < len {
        let f = extent(i);
        let x0 = (f.start_ns as f64 - view_ns.0) * scale;
        let x1 = (f.end_ns as f64 - view_ns.0) * scale;
        if f.depth >= depths.end || x1 < 0.0 || x0 > width_px || x1 - x0 < MIN_FRAME_PX {
            i = f.subtree_end.max(i + 1);
            continue;
        }
        if f.depth >= depths.start {
            out.push(i);
        }
        i += 1;
    }
    out
}

/// Which graph, and the time range it shows (ns on the graph's axis); kept in egui's memory.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Zoom {
    trace_key: [u8; 16],
    view_ns: (f64, f64),
}

/// The icicle of `trace`; a click selects a span in the waterfall state of `waterfall_salt`,
/// whose details show below.
pub fn flame_graph_ui(
    ui: &mut egui::Ui,
    waterfall_salt: impl std::hash::Hash + std::fmt::Debug + Copy,
    trace: &Arc<AnalysedTrace>,
) -> Vec<super::action::Action> {
    let icicle = &trace.icicle;
    let selected = selected_span(ui, waterfall_salt, trace);
    let detail_height = if selected.is_some() { 170.0 } else { 0.0 };
    let spans = &trace.trace.spans;
    let clicked = graph_ui(
        ui,
        ("flame", waterfall_salt),
        trace,
        GraphData {
            len: icicle.rects.len(),
            width_ns: icicle.end_ns,
            max_depth: icicle.max_depth,
            extent: &|i| {
                let r = &icicle.rects[i];
                FrameExtent {
                    start_ns: r.start_ns,
                    end_ns: r.end_ns,
                    depth: r.depth,
                    subtree_end: trace.tree.subtree_end(r.span) as usize,
                }
            },
            frame_text: &|i| {
                let s = &spans[icicle.rects[i].span as usize];
                (&s.service, &s.name)
            },
            is_error: &|i| spans[icicle.rects[i].span as usize].status == SpanStatus::Error,
            is_selected: &|i| selected == Some(icicle.rects[i].span),
            hover_text: &|i| {
                let s = &spans[icicle.rects[i].span as usize];
                format!(
                    "{}\n{}\n{} (self {})",
                    s.service,
                    s.name,
                    format_duration_ns(s.duration_ns()),
                    format_duration_ns(trace.self_times[icicle.rects[i].span as usize]),
                )
            },
        },
        detail_height,
    );
    if let Some(i) = clicked {
        select_span(ui, waterfall_salt, trace, icicle.rects[i].span);
    }
    let mut actions = Vec::new();
    if let Some(span) = selected_span(ui, waterfall_salt, trace) {
        ui.separator();
        let detail = super::span_detail::span_detail_ui(ui, trace, span);
        actions.extend(detail.actions);
        if let Some(linked) = detail.select {
            select_span(ui, waterfall_salt, trace, linked);
        }
    }
    actions
}

/// The aggregated flame graph of `trace`: frames are service/operation stacks, their width
/// the stack's self time plus its children's.
pub fn aggregated_flame_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    trace: &Arc<AnalysedTrace>,
) {
    let frames = &trace.aggregated.frames;
    let max_depth = frames.iter().map(|f| f.depth).max().unwrap_or(0);
    graph_ui(
        ui,
        ("aggregated_flame", id_salt),
        trace,
        GraphData {
            len: frames.len(),
            width_ns: trace.aggregated.width_ns,
            max_depth,
            extent: &|i| {
                let f = &frames[i];
                FrameExtent {
                    start_ns: f.x_ns,
                    end_ns: f.x_ns + f.width_ns,
                    depth: f.depth,
                    subtree_end: f.subtree_end as usize,
                }
            },
            frame_text: &|i| (&frames[i].service, &frames[i].name),
            is_error: &|_| false,
            is_selected: &|_| false,
            hover_text: &|i| {
                let f = &frames[i];
                format!(
                    "{}\n{}\n{} spans, total {}, self {}",
                    f.service,
                    f.name,
                    f.count,
                    format_duration_ns(f.total_ns),
                    format_duration_ns(f.self_ns),
                )
            },
        },
        0.0,
    );
}

/// What the drawing needs of a graph, frame by frame.
struct GraphData<'a> {
    len: usize,
    width_ns: u64,
    max_depth: u32,
    extent: &'a dyn Fn(usize) -> FrameExtent,
    /// (service, operation)
    frame_text: &'a dyn Fn(usize) -> (&'a str, &'a str),
    is_error: &'a dyn Fn(usize) -> bool,
    is_selected: &'a dyn Fn(usize) -> bool,
    hover_text: &'a dyn Fn(usize) -> String,
}

/// Draws a graph filling the width; returns the frame clicked, if any.
fn graph_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    trace: &AnalysedTrace,
    graph: GraphData<'_>,
    reserve_below: f32,
) -> Option<usize> {
    let zoom_id = ui.make_persistent_id(("zoom", &id_salt));
    let full = (0.0, graph.width_ns.max(1) as f64);
    let key = trace.trace.trace_id.0;
    let mut zoom = ui
        .data(|d| d.get_temp::<Zoom>(zoom_id))
        .filter(|z| z.trace_key == key)
        .unwrap_or(Zoom {
            trace_key: key,
            view_ns: full,
        });
    ui.label(
        egui::RichText::new("Ctrl+scroll to zoom, drag to pan, double-click to reset")
            .small()
            .weak(),
    );
    let height = (ui.available_height() - reserve_below).max(120.0);
    let content_height = (graph.max_depth + 1) as f32 * FRAME_HEIGHT;
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .id_salt(("flame_scroll", &id_salt))
        .max_height(height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            let (rect, response) = ui.allocate_exact_size(
                egui::vec2(ui.available_width(), content_height),
                Sense::click_and_drag(),
            );
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Flame graph frames")
            });
            let width = rect.width().max(1.0);
            // Zoom and pan.
            let span_ns = zoom.view_ns.1 - zoom.view_ns.0;
            if response.double_clicked() {
                zoom.view_ns = full;
            } else if response.dragged() {
                let dx = f64::from(response.drag_delta().x) / f64::from(width) * span_ns;
                zoom.view_ns = (zoom.view_ns.0 - dx, zoom.view_ns.1 - dx);
            }
            if let Some(pos) = response.hover_pos() {
                let factor = f64::from(ui.input(|i| i.zoom_delta()));
                if factor != 1.0 {
                    let at = zoom.view_ns.0 + f64::from((pos.x - rect.left()) / width) * span_ns;
                    let new_span = (span_ns / factor).max(1.0);
                    let left = (at - zoom.view_ns.0) / span_ns * new_span;
                    zoom.view_ns = (at - left, at - left + new_span);
                }
            }
            let clip = ui.clip_rect().intersect(rect);
            let depth_at = |y: f32| ((y - rect.top()) / FRAME_HEIGHT).max(0.0);
            let depths = depth_at(clip.top()).floor() as u32..depth_at(clip.bottom()).ceil() as u32;
            let visible = visible_frames(graph.len, graph.extent, zoom.view_ns, depths, width);

            let painter = ui.painter_at(rect);
            let visuals = ui.visuals();
            let scale = f64::from(width) / (zoom.view_ns.1 - zoom.view_ns.0).max(1e-9);
            let to_x = |ns: u64| rect.left() + ((ns as f64 - zoom.view_ns.0) * scale) as f32;
            let pointer = response.hover_pos();
            let mut hovered = None;
            for &i in &visible {
                let f = (graph.extent)(i);
                let top = rect.top() + f.depth as f32 * FRAME_HEIGHT;
                let x0 = to_x(f.start_ns).max(rect.left() - 1.0);
                let x1 = to_x(f.end_ns).min(rect.right() + 1.0);
                let frame = Rect::from_x_y_ranges(x0..=x1, top..=top + FRAME_HEIGHT - 1.0);
                let (service, name) = (graph.frame_text)(i);
                painter.rect_filled(frame, 0.0, service_color(service).gamma_multiply(0.85));
                if (graph.is_error)(i) {
                    painter.rect_stroke(
                        frame,
                        0.0,
                        Stroke::new(1.5, ERROR_COLOR),
                        egui::StrokeKind::Inside,
                    );
                }
                if (graph.is_selected)(i) {
                    painter.rect_stroke(
                        frame,
                        0.0,
                        Stroke::new(2.0, visuals.strong_text_color()),
                        egui::StrokeKind::Inside,
                    );
                }
                if frame.width() >= LABEL_MIN_PX {
                    painter
                        .with_clip_rect(frame.shrink2(egui::vec2(3.0, 0.0)))
                        .text(
                            pos2(frame.left() + 3.0, frame.center().y),
                            egui::Align2::LEFT_CENTER,
                            name,
                            egui::FontId::proportional(12.0),
                            Color32::BLACK,
                        );
                }
                if pointer.is_some_and(|p| frame.contains(p)) {
                    hovered = Some(i);
                }
            }
            if let Some(i) = hovered {
                if response.clicked() {
                    clicked = Some(i);
                }
                let text = (graph.hover_text)(i);
                response.on_hover_ui_at_pointer(|ui| {
                    ui.label(text);
                });
            }
        });
    ui.data_mut(|d| d.insert_temp(zoom_id, zoom));
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(start_ns: u64, end_ns: u64, depth: u32, subtree_end: usize) -> FrameExtent {
        FrameExtent {
            start_ns,
            end_ns,
            depth,
            subtree_end,
        }
    }

    /// root [0,1000] → a [0,500] → a1 [0,400]; b [500,501] (thin) → b1 [500,501]; c [600,1000]
    fn frames() -> Vec<FrameExtent> {
        vec![
            frame(0, 1000, 0, 6),
            frame(0, 500, 1, 3),
            frame(0, 400, 2, 3),
            frame(500, 501, 1, 5),
            frame(500, 501, 2, 5),
            frame(600, 1000, 1, 6),
        ]
    }

    fn visible(view: (f64, f64), depths: Range<u32>, width: f32) -> Vec<usize> {
        let f = frames();
        visible_frames(f.len(), |i| f[i], view, depths, width)
    }

    #[test]
    fn everything_wide_enough_is_drawn() {
        // 1000 ns across 10,000 px: the thin frames are 10 px.
        assert_eq!(
            visible((0.0, 1000.0), 0..10, 10_000.0),
            vec![0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn a_thin_frame_is_skipped_with_its_subtree() {
        // 1000 ns across 100 px: b is 0.1 px, so b and b1 go (b1 is never looked at).
        let f = frames();
        let looked = std::cell::RefCell::new(Vec::new());
        let shown = visible_frames(
            f.len(),
            |i| {
                looked.borrow_mut().push(i);
                f[i]
            },
            (0.0, 1000.0),
            0..10,
            100.0,
        );
        assert_eq!(shown, vec![0, 1, 2, 5]);
        assert!(
            !looked.borrow().contains(&4),
            "the thin frame's child is skipped"
        );
    }

    #[test]
    fn frames_off_screen_and_below_the_view_are_skipped() {
        // Zoomed on [600, 1000]: a's subtree lies left of the view.
        assert_eq!(visible((600.0, 1000.0), 0..10, 400.0), vec![0, 5]);
        // Only depth 1 on screen: the root is passed through, depth 2 culled.
        assert_eq!(visible((0.0, 1000.0), 1..2, 10_000.0), vec![1, 3, 5]);
    }
}
