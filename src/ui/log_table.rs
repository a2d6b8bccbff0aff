//! The log table: one row per line, virtualized so a million rows cost what the visible ones
//! cost; level colors, optional wrapping, very long lines shortened in their row, search
//! matches highlighted, and a click selects a row for the detail pane.

use super::logs_panel::severity_color;
use super::time_axis::format_time;
use crate::analysis::log_fields::field_values;
use crate::analysis::log_search::{matcher, ranges_of};
use crate::model::telemetry::severity_name;
use crate::model::{LogBatch, TimeZoneChoice};
use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

/// Lines at least this long are shortened in their row; the detail pane shows them whole.
pub const LONG_LINE_BYTES: usize = 100 * 1024;
/// How much of a line a row shows when not wrapping (a row is one screen line anyway).
const ROW_CHARS: usize = 1_000;
/// How much of a line a wrapped row shows at most.
const WRAPPED_CHARS: usize = 4_000;

/// What the table needs to know beyond the rows.
pub struct LogTableView<'a> {
    pub batch: &'a LogBatch,
    pub zone: TimeZoneChoice,
    pub wrap: bool,
    /// Highlighted in every visible row.
    pub search: &'a str,
    /// The row to bring into view this frame (next/previous match, a linked line).
    pub scroll_to: Option<usize>,
    /// Per row, the successive duplicates folded into it (when de-duplicating).
    pub duplicates: Option<&'a [u32]>,
    /// Labels or fields shown as columns before the line.
    pub columns: &'a [String],
}

/// Width of a field column.
const FIELD_COLUMN_WIDTH: f32 = 110.0;

/// Draws the table; `selected` is the selected row, changed by clicks. Returns the row whose
/// trace link was clicked.
pub fn log_table_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    view: LogTableView<'_>,
    selected: &mut Option<usize>,
) -> Option<usize> {
    let mut trace_clicked = None;
    let LogTableView {
        batch,
        zone,
        wrap,
        search,
        scroll_to,
        duplicates,
        columns,
    } = view;
    // Built once a frame: a matcher per row was most of a frame's cost.
    let search = matcher(search);
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let line_height = ui.fonts_mut(|f| f.row_height(&mono)) + 4.0;
    let char_width = ui.fonts_mut(|f| f.glyph_width(&mono, 'x')).max(1.0);
    let highlight = ui.visuals().selection.bg_fill;
    let text_color = ui.visuals().text_color();
    ui.push_id(id_salt, |ui| {
        let available = ui.available_width();
        let fields_width = columns.len() as f32 * FIELD_COLUMN_WIDTH;
        let line_width = (available - 90.0 - 84.0 - 110.0 - fields_width - 24.0).max(100.0);
        let chars_per_line = (line_width / char_width).max(10.0) as usize;
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .auto_shrink([false, false])
            .column(Column::exact(90.0))
            .column(Column::exact(84.0))
            .column(Column::initial(110.0).clip(true))
            .columns(
                Column::initial(FIELD_COLUMN_WIDTH).clip(true),
                columns.len(),
            )
            .column(Column::remainder().clip(!wrap));
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, Some(egui::Align::Center));
        }
        table
            .header(18.0, |mut header| {
                let titles = ["Time", "Level", "Service"]
                    .into_iter()
                    .chain(columns.iter().map(String::as_str))
                    .chain(["Line"]);
                for title in titles {
                    header.col(|ui| {
                        ui.label(RichText::new(title).small().strong());
                    });
                }
            })
            .body(|body| {
                let draw_row = |mut row: egui_extras::TableRow<'_, '_>| {
                    let i = row.index();
                    row.set_selected(*selected == Some(i));
                    let mut link_rect = None;
                    let t = batch.time_ns[i] as f64 / 1e9;
                    row.col(|ui| {
                        ui.label(RichText::new(format_time(t, zone, "%H:%M:%S%.3f")).monospace());
                    });
                    let sev = batch.severity[i];
                    row.col(|ui| {
                        // One line: the cell is clipped to the row's height.
                        ui.horizontal(|ui| {
                            ui.label(
                                RichText::new(severity_name(sev))
                                    .monospace()
                                    .color(severity_color(sev)),
                            );
                            if let Some(&n) = duplicates.and_then(|d| d.get(i))
                                && n > 0
                            {
                                ui.label(
                                    RichText::new(format!("x{}", n + 1))
                                        .small()
                                        .strong()
                                        .color(Color32::from_rgb(0x5f, 0x9e, 0xe0)),
                                )
                                .on_hover_text(format!("{n} more lines like it folded here"));
                            }
                        });
                    });
                    row.col(|ui| {
                        // One line: the cell is clipped to the row's height.
                        ui.horizontal(|ui| {
                            ui.label(RichText::new(batch.service_name(i)).monospace().weak());
                            if let Some(trace) = batch.trace_id[i] {
                                let link = ui
                                    .add(egui::Link::new(RichText::new("trace").small()))
                                    .on_hover_text(format!("Open trace {trace}"));
                                // The accessible name says which trace, so each row's link is
                                // findable by itself.
                                link.widget_info(|| {
                                    egui::WidgetInfo::labeled(
                                        egui::Role::Link,
                                        true,
                                        format!("Open trace {trace} of line {i}"),
                                    )
                                });
                                link_rect = Some(link.rect);
                                if link.clicked() {
                                    trace_clicked = Some(i);
                                }
                            }
                        });
                    });
                    if !columns.is_empty() {
                        for value in field_values(batch, i, columns) {
                            row.col(|ui| {
                                let value = value.unwrap_or_default();
                                ui.label(RichText::new(value.as_ref()).monospace().small());
                            });
                        }
                    }
                    row.col(|ui| {
                        let job = line_job(
                            batch.body(i),
                            (wrap, chars_per_line),
                            search.as_ref(),
                            &mono,
                            text_color,
                            highlight,
                        );
                        let label = egui::Label::new(job).selectable(false);
                        ui.add(if wrap { label.wrap() } else { label.truncate() });
                    });
                    let response = row.response();
                    if response.clicked() {
                        // The row's click sense lies over its cells, so a click on the trace
                        // link arrives as the row's.
                        let on_link = link_rect.zip(response.interact_pointer_pos());
                        if on_link.is_some_and(|(rect, at)| rect.contains(at)) {
                            trace_clicked = Some(i);
                        } else {
                            *selected = Some(i);
                        }
                    }
                };
                if wrap {
                    // Wrapped rows are as tall as their text; estimated from its length so
                    // that no row is laid out unless it is visible.
                    let heights = (0..batch.len()).map(|i| {
                        let chars = batch.body(i).len().min(wrapped_chars(chars_per_line));
                        let lines = chars.div_ceil(chars_per_line).max(1);
                        line_height * lines as f32
                    });
                    body.heterogeneous_rows(heights, draw_row);
                } else {
                    body.rows(line_height, batch.len(), draw_row);
                }
            });
    });
    trace_clicked
}

/// Most of a line a wrapped row shows: ten screen lines of the column (the detail pane has
/// the rest).
fn wrapped_chars(visible_chars: usize) -> usize {
    WRAPPED_CHARS.min(visible_chars.saturating_mul(10).max(400))
}

/// A line as its row shows it: cut to what fits (with a note for very long lines), newlines
/// shown as `\n` when not wrapping, and every search match highlighted. Unwrapped, only
/// about twice what the column shows (`visible_chars`) is laid out: laying out text past the
/// edge was most of a frame's cost.
fn line_job(
    body: &str,
    (wrap, visible_chars): (bool, usize),
    search: Option<&regex::Regex>,
    font: &egui::FontId,
    color: Color32,
    highlight: Color32,
) -> LayoutJob {
    let limit = if wrap {
        wrapped_chars(visible_chars)
    } else {
        ROW_CHARS.min(visible_chars.saturating_mul(2).max(80))
    };
    let cut = floor_char_boundary(body, limit);
    let mut shown = body[..cut].to_owned();
    if !wrap {
        shown = shown.replace('\n', "\\n");
    }
    let mut job = LayoutJob::default();
    let plain = TextFormat::simple(font.clone(), color);
    let mut marked = plain.clone();
    marked.background = highlight;
    let mut at = 0;
    let ranges = search.map(|m| ranges_of(m, &shown)).unwrap_or_default();
    for range in ranges {
        job.append(&shown[at..range.start], 0.0, plain.clone());
        job.append(&shown[range.clone()], 0.0, marked.clone());
        at = range.end;
    }
    job.append(&shown[at..], 0.0, plain.clone());
    if body.len() >= LONG_LINE_BYTES {
        let mut note = plain;
        note.italics = true;
        job.append(
            &format!(
                "  … [shortened: {} KB in all, select the row to see it whole]",
                body.len() / 1024
            ),
            0.0,
            note,
        );
    }
    job
}

/// The largest char boundary at or below `index`.
fn floor_char_boundary(s: &str, index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    (0..=index)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_cut_long_lines_on_char_boundaries_and_say_so() {
        let font = egui::FontId::monospace(12.0);
        let long = "é".repeat(60_000); // 120,000 bytes
        let job = line_job(
            &long,
            (false, 1_000),
            None,
            &font,
            Color32::WHITE,
            Color32::BLUE,
        );
        assert!(job.text.len() < 2_000, "{}", job.text.len());
        assert!(job.text.contains("shortened: 117 KB"));
        // A narrow column lays out only about twice what it shows.
        let job = line_job(
            &"x".repeat(5_000),
            (false, 100),
            None,
            &font,
            Color32::WHITE,
            Color32::BLUE,
        );
        assert_eq!(job.text.len(), 200);
        let job = line_job(
            "a\nb",
            (false, 1_000),
            None,
            &font,
            Color32::WHITE,
            Color32::BLUE,
        );
        assert_eq!(job.text, "a\\nb");
        let job = line_job(
            "a\nb",
            (true, 1_000),
            None,
            &font,
            Color32::WHITE,
            Color32::BLUE,
        );
        assert_eq!(job.text, "a\nb");
    }

    #[test]
    fn search_matches_are_highlighted() {
        let font = egui::FontId::monospace(12.0);
        let job = line_job(
            "x Err y err",
            (false, 1_000),
            matcher("ERR").as_ref(),
            &font,
            Color32::WHITE,
            Color32::BLUE,
        );
        let marked: Vec<&str> = job
            .sections
            .iter()
            .filter(|s| s.format.background == Color32::BLUE)
            .map(|s| &job.text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(marked, ["Err", "err"]);
    }
}
