//! The trace waterfall: one row per visible span with its place in the tree and a bar on the
//! trace's time scale, the critical path drawn over the bars, error marks, collapse/expand,
//! a minimap to jump around, find with next/previous, next error, and keyboard navigation
//! (arrows move and collapse/expand, Home goes to the top).
//! Rows are virtualized: a million-span trace draws only the rows on screen.

use super::action::Action;
use super::chart::service_color;
use super::traces_panel::format_duration_ns;
use crate::analysis::{AnalysedTrace, next_error, previous_error, trace_search};
use crate::model::SpanStatus;
use egui::{Color32, Key, Rect, RichText, Sense, Stroke, pos2, vec2};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

const ROW_HEIGHT: f32 = 20.0;
const ERROR_COLOR: Color32 = Color32::from_rgb(0xf2, 0x49, 0x5c);
const MINIMAP_HEIGHT: f32 = 36.0;

/// Where a worker thread leaves the spans a find matched.
type FoundSlot = Arc<Mutex<Option<Vec<u32>>>>;

/// What the waterfall remembers between frames; shared through egui's memory as one `Arc` so
/// that a million-entry collapse set is never copied per frame.
#[derive(Default)]
pub struct WaterfallState {
    trace_key: Option<[u8; 16]>,
    pub collapsed: HashSet<u32>,
    pub critical_only: bool,
    /// Visible rows (span indices) for the current collapse set and filter.
    rows: Arc<Vec<u32>>,
    rows_valid: bool,
    pub selected: Option<u32>,
    pub find: String,
    found_for: String,
    found: Vec<u32>,
    /// A search of a large trace running on a worker thread: its text and where it leaves
    /// the spans it found.
    searching: Option<(String, FoundSlot)>,
    found_at: usize,
    scroll_to_row: Option<usize>,
}

impl WaterfallState {
    /// Resets everything that belongs to another trace.
    fn open(&mut self, trace: &AnalysedTrace) {
        let key = trace.trace.trace_id.0;
        if self.trace_key != Some(key) {
            *self = Self {
                trace_key: Some(key),
                ..Self::default()
            };
        }
    }

    fn rows(&mut self, trace: &AnalysedTrace) -> Arc<Vec<u32>> {
        if !self.rows_valid {
            let mut rows = trace.tree.visible_rows(self.collapsed.iter());
            if self.critical_only {
                rows.retain(|&s| trace.on_critical[s as usize]);
            }
            self.rows = Arc::new(rows);
            self.rows_valid = true;
        }
        Arc::clone(&self.rows)
    }

    fn toggle(&mut self, span: u32) {
        if !self.collapsed.remove(&span) {
            self.collapsed.insert(span);
        }
        self.rows_valid = false;
    }

    /// Makes `span` visible (expanding its ancestors), selects it and scrolls to it.
    fn reveal(&mut self, trace: &AnalysedTrace, span: u32) {
        let mut at = trace.tree.parent(span);
        while let Some(p) = at {
            if self.collapsed.remove(&p) {
                self.rows_valid = false;
            }
            at = trace.tree.parent(p);
        }
        if self.critical_only && !trace.on_critical[span as usize] {
            self.critical_only = false;
            self.rows_valid = false;
        }
        self.selected = Some(span);
        let rows = self.rows(trace);
        self.scroll_to_row = rows.iter().position(|&s| s == span);
    }
}

/// The waterfall's state of `id_salt` in egui's memory, for `ui`'s id.
fn shared_state(
    ui: &egui::Ui,
    id_salt: &(impl std::hash::Hash + std::fmt::Debug),
) -> Arc<Mutex<WaterfallState>> {
    let state_id = ui.make_persistent_id(("waterfall", id_salt));
    ui.data_mut(|d| {
        d.get_temp_mut_or_default::<Arc<Mutex<WaterfallState>>>(state_id)
            .clone()
    })
}

/// The span selected in the waterfall of `id_salt` (other views of the trace share it).
pub fn selected_span(
    ui: &egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    trace: &AnalysedTrace,
) -> Option<u32> {
    let shared = shared_state(ui, &id_salt);
    let mut state = shared.lock().ok()?;
    state.open(trace);
    state.selected
}

/// Selects `span` in the waterfall of `id_salt`, expanding its ancestors there.
pub fn select_span(
    ui: &egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    trace: &AnalysedTrace,
    span: u32,
) {
    let shared = shared_state(ui, &id_salt);
    if let Ok(mut state) = shared.lock() {
        state.open(trace);
        state.reveal(trace, span);
    }
}

/// Draws the waterfall of `trace`; returns the actions of its links.
pub fn waterfall_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    trace: &Arc<AnalysedTrace>,
) -> Vec<Action> {
    let shared = shared_state(ui, &id_salt);
    let Ok(mut state) = shared.lock() else {
        return Vec::new();
    };
    state.open(trace);
    let mut actions = Vec::new();
    toolbar_ui(ui, trace, &mut state);
    keyboard(ui, trace, &mut state);
    let rows = state.rows(trace);
    minimap_ui(ui, trace, &rows, &mut state);

    let detail_height = if state.selected.is_some() { 170.0 } else { 0.0 };
    let list_height = (ui.available_height() - detail_height).max(120.0);
    let label_width = (ui.available_width() * 0.38).clamp(160.0, 520.0);
    let mut scroll = egui::ScrollArea::vertical()
        .id_salt(("waterfall_rows", &id_salt))
        .max_height(list_height)
        .auto_shrink([false, false]);
    if let Some(row) = state.scroll_to_row.take() {
        // Centre the row: the scroll area is virtualized, so scroll by offset.
        let offset = (row as f32 * ROW_HEIGHT - list_height / 2.0).max(0.0);
        scroll = scroll.vertical_scroll_offset(offset);
    }
    ui.scope(|ui| {
        // Rows touch, so that row `i` starts at `i * ROW_HEIGHT` (the scroll offset above).
        ui.spacing_mut().item_spacing.y = 0.0;
        scroll.show_rows(ui, ROW_HEIGHT, rows.len(), |ui, visible| {
            for row in visible {
                let span = rows[row];
                if row_ui(ui, trace, &mut state, span, label_width) {
                    state.selected = Some(span);
                }
            }
        });
    });
    if let Some(span) = state.selected {
        ui.separator();
        let detail = super::span_detail::span_detail_ui(ui, trace, span);
        actions.extend(detail.actions);
        if let Some(linked) = detail.select {
            state.reveal(trace, linked);
        }
    }
    actions
}

/// Spans above which find runs on a worker thread (it scans every attribute).
const BACKGROUND_FIND_SPANS: usize = 50_000;

/// Keeps `state.found` in step with the find text: at once for small traces, on a worker
/// thread for large ones (the old matches show meanwhile).
fn update_found(ctx: &egui::Context, trace: &Arc<AnalysedTrace>, state: &mut WaterfallState) {
    if state.found_for == state.find {
        return;
    }
    if let Some((text, slot)) = &state.searching
        && *text == state.find
    {
        let done = slot.lock().ok().and_then(|mut s| s.take());
        match done {
            Some(found) => {
                state.found = found;
                state.found_for = state.find.clone();
                state.found_at = 0;
                state.searching = None;
            }
            None => ctx.request_repaint_after(std::time::Duration::from_millis(30)),
        }
        return;
    }
    if trace.trace.spans.len() <= BACKGROUND_FIND_SPANS || state.find.is_empty() {
        state.found = trace_search(&trace.trace, &trace.tree, &trace.operations, &state.find);
        state.found_for = state.find.clone();
        state.found_at = 0;
        state.searching = None;
        return;
    }
    let slot = Arc::new(Mutex::new(None));
    let (trace, text, out, ctx) = (
        Arc::clone(trace),
        state.find.clone(),
        Arc::clone(&slot),
        ctx.clone(),
    );
    std::thread::spawn(move || {
        let found = trace_search(&trace.trace, &trace.tree, &trace.operations, &text);
        if let Ok(mut out) = out.lock() {
            *out = Some(found);
        }
        ctx.request_repaint();
    });
    state.searching = Some((state.find.clone(), slot));
}

fn toolbar_ui(ui: &mut egui::Ui, trace: &Arc<AnalysedTrace>, state: &mut WaterfallState) {
    ui.horizontal_wrapped(|ui| {
        // The trace's id, size and duration are in the header above every view.
        let l = ui.label("Find in trace");
        ui.add(
            egui::TextEdit::singleline(&mut state.find)
                .hint_text("name, service or attribute")
                .desired_width(180.0),
        )
        .labelled_by(l.id);
        update_found(ui.ctx(), trace, state);
        let count = state.found.len();
        if state.searching.is_some() {
            ui.spinner();
        } else if !state.find.is_empty() {
            let text = if count == 0 {
                "no matches".to_owned()
            } else {
                format!("{} of {count} spans", state.found_at.min(count - 1) + 1)
            };
            ui.label(RichText::new(text).small());
        }
        let go = |forward: bool, state: &mut WaterfallState| {
            if count > 0 {
                state.found_at = if forward {
                    (state.found_at + 1) % count
                } else {
                    (state.found_at + count - 1) % count
                };
                let span = state.found[state.found_at];
                state.reveal(trace, span);
            }
        };
        if ui
            .add_enabled(count > 0, egui::Button::new("Previous span"))
            .clicked()
        {
            go(false, state);
        }
        if ui
            .add_enabled(count > 0, egui::Button::new("Next span"))
            .clicked()
        {
            go(true, state);
        }
        let from = state.selected.map(|s| trace.tree.row_of(s));
        if ui.button("Next error").clicked()
            && let Some(row) = next_error(&trace.trace, &trace.tree, from)
        {
            let span = trace.tree.preorder()[row as usize];
            state.reveal(trace, span);
        }
        if ui.button("Previous error").clicked()
            && let Some(row) = previous_error(&trace.trace, &trace.tree, from)
        {
            let span = trace.tree.preorder()[row as usize];
            state.reveal(trace, span);
        }
        if ui
            .checkbox(&mut state.critical_only, "Critical path only")
            .changed()
        {
            state.rows_valid = false;
        }
        if ui.button("Expand all").clicked() {
            state.collapsed.clear();
            state.rows_valid = false;
        }
    });
}

/// Up/down move the selection through the visible rows, left collapses, right expands.
fn keyboard(ui: &egui::Ui, trace: &AnalysedTrace, state: &mut WaterfallState) {
    // Keys belong to a text field when one has focus.
    if ui.memory(|m| m.focused().is_some()) {
        return;
    }
    let (up, down, left, right, home) = ui.input(|i| {
        (
            i.key_pressed(Key::ArrowUp),
            i.key_pressed(Key::ArrowDown),
            i.key_pressed(Key::ArrowLeft),
            i.key_pressed(Key::ArrowRight),
            i.key_pressed(Key::Home),
        )
    });
    if !(up || down || left || right || home) {
        return;
    }
    let rows = state.rows(trace);
    if home {
        state.selected = rows.first().copied();
        state.scroll_to_row = Some(0);
        return;
    }
    let Some(selected) = state.selected else {
        state.selected = rows.first().copied();
        return;
    };
    let at = rows.iter().position(|&s| s == selected).unwrap_or(0);
    if up && at > 0 {
        state.selected = Some(rows[at - 1]);
        state.scroll_to_row = Some(at - 1);
    }
    if down && at + 1 < rows.len() {
        state.selected = Some(rows[at + 1]);
        state.scroll_to_row = Some(at + 1);
    }
    let has_children = !trace.tree.children(selected).is_empty();
    let collapsed = state.collapsed.contains(&selected);
    if (left && has_children && !collapsed) || (right && collapsed) {
        state.toggle(selected);
    }
}

/// One span's row; returns true when it was clicked.
fn row_ui(
    ui: &mut egui::Ui,
    trace: &AnalysedTrace,
    state: &mut WaterfallState,
    span: u32,
    label_width: f32,
) -> bool {
    let s = &trace.trace.spans[span as usize];
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), ROW_HEIGHT), Sense::click());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    if state.selected == Some(span) {
        painter.rect_filled(rect, 0.0, visuals.selection.bg_fill.gamma_multiply(0.6));
    } else if response.hovered() {
        painter.rect_filled(rect, 0.0, visuals.faint_bg_color);
    }
    let depth = trace.tree.depth(span).min(40) as f32;
    let mut x = rect.left() + 4.0 + depth * 12.0;
    let children = trace.tree.children(span).len();
    // The collapse toggle: a small button of its own so a click on it does not select.
    if children > 0 {
        let toggle_rect = Rect::from_min_size(pos2(x, rect.top() + 3.0), vec2(14.0, 14.0));
        let collapsed = state.collapsed.contains(&span);
        let toggle = ui
            .interact(
                toggle_rect,
                ui.scope_id().with(("toggle", span)),
                Sense::click(),
            )
            .on_hover_text(if collapsed {
                format!("Expand ({children} children)")
            } else {
                "Collapse".to_owned()
            });
        painter.text(
            toggle_rect.center(),
            egui::Align2::CENTER_CENTER,
            if collapsed { "+" } else { "-" },
            egui::FontId::monospace(12.0),
            visuals.text_color(),
        );
        // Named after the span, built only when accessibility asks.
        toggle.widget_info(|| {
            let verb = if collapsed { "Expand" } else { "Collapse" };
            let name = format!("{verb} {}: {}", s.service, s.name);
            egui::WidgetInfo::labeled(egui::Role::Button, true, name)
        });
        if toggle.clicked() {
            state.toggle(span);
        }
    }
    x += 16.0;
    let color = service_color(&s.service);
    painter.rect_filled(
        Rect::from_min_size(pos2(x, rect.top() + 5.0), vec2(4.0, 10.0)),
        1.0,
        color,
    );
    x += 8.0;
    let name = format!("{}: {}", s.service, s.name);
    let text_color = if s.status == SpanStatus::Error {
        ERROR_COLOR
    } else {
        visuals.text_color()
    };
    let label_rect = Rect::from_x_y_ranges(x..=rect.left() + label_width, rect.y_range());
    ui.painter_at(label_rect).text(
        pos2(x, rect.center().y),
        egui::Align2::LEFT_CENTER,
        &name,
        egui::FontId::proportional(13.0),
        text_color,
    );
    // The row's accessible name is the span, so tests and screen readers can find it.
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Row, true, &name));

    // The bar on the trace's time scale.
    let bar_area = Rect::from_x_y_ranges(
        rect.left() + label_width + 8.0..=rect.right() - 70.0,
        rect.top() + 3.0..=rect.bottom() - 3.0,
    );
    let total = trace.duration_ns().max(1) as f32;
    let at = |t: u64| {
        bar_area.left() + bar_area.width() * (t.saturating_sub(trace.start_ns) as f32 / total)
    };
    let (x0, x1) = (at(s.start_ns), at(s.end_ns.max(s.start_ns)));
    let bar = Rect::from_x_y_ranges(x0..=x1.max(x0 + 1.0), bar_area.y_range());
    painter.rect_filled(bar, 2.0, color.gamma_multiply(0.85));
    for segment in trace.critical_of(span) {
        let (c0, c1) = (at(segment.start_ns), at(segment.end_ns));
        painter.rect_filled(
            Rect::from_x_y_ranges(c0..=c1.max(c0 + 1.0), bar.bottom() - 4.0..=bar.bottom()),
            0.0,
            visuals.strong_text_color(),
        );
    }
    if s.status == SpanStatus::Error {
        painter.rect_stroke(
            bar,
            2.0,
            Stroke::new(1.5, ERROR_COLOR),
            egui::StrokeKind::Outside,
        );
        painter.circle_filled(pos2(bar.left() - 5.0, bar.center().y), 3.0, ERROR_COLOR);
    }
    painter.text(
        pos2(rect.right() - 4.0, rect.center().y),
        egui::Align2::RIGHT_CENTER,
        format_duration_ns(s.duration_ns()),
        egui::FontId::monospace(11.0),
        visuals.weak_text_color(),
    );
    response.clicked()
}

/// The whole trace in a strip: each pixel row summarises a block of rows (earliest start to
/// latest end, errors in red). A click jumps there.
fn minimap_ui(ui: &mut egui::Ui, trace: &AnalysedTrace, rows: &[u32], state: &mut WaterfallState) {
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), MINIMAP_HEIGHT), Sense::click());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    if rows.is_empty() {
        return;
    }
    let lines = MINIMAP_HEIGHT as usize;
    let per_line = rows.len().div_ceil(lines).max(1);
    let total = trace.duration_ns().max(1) as f32;
    for (line, block) in rows.chunks(per_line).enumerate() {
        // Sampling keeps this O(lines) however large the trace: a block's extent comes from
        // at most 64 evenly spaced spans.
        let stride = (block.len() / 64).max(1);
        let (mut lo, mut hi, mut error) = (u64::MAX, 0, false);
        for &s in block.iter().step_by(stride) {
            let span = &trace.trace.spans[s as usize];
            lo = lo.min(span.start_ns);
            hi = hi.max(span.end_ns);
            error |= span.status == SpanStatus::Error;
        }
        let y = rect.top() + line as f32 * (MINIMAP_HEIGHT / lines as f32);
        let x =
            |t: u64| rect.left() + rect.width() * (t.saturating_sub(trace.start_ns) as f32 / total);
        let color = if error {
            ERROR_COLOR
        } else {
            service_color(&trace.trace.spans[block[0] as usize].service)
        };
        painter.rect_filled(
            Rect::from_x_y_ranges(x(lo)..=x(hi).max(x(lo) + 1.0), y..=y + 1.0),
            0.0,
            color,
        );
    }
    if let Some(pos) = response.interact_pointer_pos()
        && response.clicked()
    {
        let fraction = ((pos.y - rect.top()) / rect.height()).clamp(0.0, 1.0);
        let row = ((rows.len() - 1) as f32 * fraction) as usize;
        state.scroll_to_row = Some(row);
        state.selected = Some(rows[row]);
    }
    response.on_hover_text("Minimap: click to jump");
}
