//! The Compare view of a traces panel: the trace the user pinned as baseline A against the open
//! trace B, one row per service/operation path with counts and total durations in each and
//! their delta, largest change first. Added or slower work is red, removed or faster green.
//! The pinned baseline lives in egui's memory (runtime state, never saved).

use super::trace_derived::derived;
use super::traces_panel::format_duration_ns;
use crate::analysis::AnalysedTrace;
use crate::analysis::trace_diff::{DiffRow, PathChange, trace_diff};
use crate::workspace::PanelId;
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use std::sync::Arc;

/// Slower or added work.
pub const WORSE_COLOR: Color32 = Color32::from_rgb(0xf2, 0x49, 0x5c);
/// Faster or removed work.
pub const BETTER_COLOR: Color32 = Color32::from_rgb(0x3c, 0xb3, 0x71);

/// Separates the steps of a path, root first.
const PATH_SEPARATOR: &str = " > ";

fn baseline_id(panel: PanelId) -> egui::Id {
    egui::Id::unique(("trace_baseline", panel))
}

/// The trace pinned as baseline A in traces panel `panel`.
pub fn pinned_baseline(ctx: &egui::Context, panel: PanelId) -> Option<Arc<AnalysedTrace>> {
    ctx.data(|d| d.get_temp::<Arc<AnalysedTrace>>(baseline_id(panel)))
}

/// Pins `trace` as baseline A of traces panel `panel`, replacing any earlier one.
pub fn pin_baseline(ctx: &egui::Context, panel: PanelId, trace: Arc<AnalysedTrace>) {
    ctx.data_mut(|d| d.insert_temp(baseline_id(panel), trace));
}

/// Forgets the panel's baseline.
pub fn clear_baseline(ctx: &egui::Context, panel: PanelId) {
    ctx.data_mut(|d| d.remove::<Arc<AnalysedTrace>>(baseline_id(panel)));
}

/// One row of the comparison: a diff row with its whole path spelled out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareRow {
    /// `service: operation` of each step from the root, joined by " > ".
    pub path: String,
    pub count_a: u32,
    pub count_b: u32,
    pub total_a_ns: u64,
    pub total_b_ns: u64,
    pub delta_ns: i64,
    pub change: PathChange,
}

/// The diff of `a` and `b` with full paths, largest |delta| first (ties: path order).
pub fn compare_rows(a: &AnalysedTrace, b: &AnalysedTrace) -> Vec<CompareRow> {
    let diff = trace_diff(&a.trace, &b.trace);
    let mut paths: Vec<String> = Vec::with_capacity(diff.len());
    for row in &diff {
        let step = format!("{}: {}", row.service, row.name);
        // A parent row always comes before its children.
        let path = match row.parent.and_then(|p| paths.get(p as usize)) {
            Some(parent) => format!("{parent}{PATH_SEPARATOR}{step}"),
            None => step,
        };
        paths.push(path);
    }
    let mut rows: Vec<CompareRow> = diff
        .iter()
        .zip(paths)
        .map(|(row, path): (&DiffRow, String)| CompareRow {
            path,
            count_a: row.count_a,
            count_b: row.count_b,
            total_a_ns: row.total_a_ns,
            total_b_ns: row.total_b_ns,
            delta_ns: row.delta_ns(),
            change: row.change,
        })
        .collect();
    // Stable: equal deltas keep the diff's depth-first order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.delta_ns.unsigned_abs()));
    rows
}

/// `+10.00 ms`, `-4.00 µs`, `0 µs`.
pub fn format_delta_ns(delta: i64) -> String {
    let sign = match delta.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    format!("{sign}{}", format_duration_ns(delta.unsigned_abs()))
}

fn change_name(change: PathChange) -> &'static str {
    match change {
        PathChange::Added => "added",
        PathChange::Removed => "removed",
        PathChange::Changed => "count changed",
        PathChange::Same => "",
    }
}

fn row_color(row: &CompareRow) -> Option<Color32> {
    match row.change {
        PathChange::Added => Some(WORSE_COLOR),
        PathChange::Removed => Some(BETTER_COLOR),
        _ if row.delta_ns > 0 => Some(WORSE_COLOR),
        _ if row.delta_ns < 0 => Some(BETTER_COLOR),
        _ => None,
    }
}

/// `frontend: GET /checkout (4bf92f35…, 100.00 ms)`.
fn trace_title(trace: &AnalysedTrace) -> String {
    let root = trace
        .tree
        .roots()
        .first()
        .and_then(|&r| trace.trace.spans.get(r as usize))
        .or_else(|| trace.trace.spans.first());
    let id = trace.trace.trace_id.to_string();
    let short = id.get(..8).unwrap_or(&id);
    match root {
        Some(s) => format!(
            "{}: {} ({short}..., {})",
            s.service,
            s.name,
            format_duration_ns(trace.duration_ns())
        ),
        None => format!("empty trace {short}..."),
    }
}

/// Draws the comparison of the panel's baseline (A) with the open trace (B).
pub fn trace_compare_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    baseline: Option<&Arc<AnalysedTrace>>,
    open: &Arc<AnalysedTrace>,
) {
    let Some(baseline) = baseline else {
        ui.label(
            "No baseline yet: click \"Pin as baseline A\" on a trace, then open another trace \
             (B) to compare it with.",
        );
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.strong("A:");
        ui.label(trace_title(baseline));
        ui.strong("vs B:");
        ui.label(trace_title(open));
    });
    if Arc::ptr_eq(baseline, open) {
        ui.label("The open trace is the baseline: open another trace to compare it with.");
        return;
    }
    let id = ui.make_persistent_id(("compare_rows", &id_salt));
    let Some(rows) = derived(ui, id, &[baseline, open], |t| compare_rows(&t[0], &t[1])) else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Comparing the traces...");
        });
        return;
    };
    ui.label(
        RichText::new(format!(
            "{} service/operation paths, largest change first",
            rows.len()
        ))
        .small()
        .weak(),
    );
    let height = ui.available_height().max(80.0);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    ui.push_id(("compare_table", &id_salt), |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(true)
            .auto_shrink([false, true])
            .max_scroll_height(height)
            .column(Column::remainder().at_least(200.0).clip(true))
            .columns(Column::auto().at_least(60.0), 6)
            .header(20.0, |mut h| {
                for name in [
                    "Path",
                    "Count A",
                    "Count B",
                    "Duration A",
                    "Duration B",
                    "Delta",
                    "Change",
                ] {
                    h.col(|ui| {
                        ui.strong(name);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, rows.len(), |mut table_row| {
                    let row = &rows[table_row.index()];
                    let color = row_color(row);
                    let text = |s: String| match color {
                        Some(c) => RichText::new(s).color(c),
                        None => RichText::new(s),
                    };
                    let cells = [
                        row.path.clone(),
                        row.count_a.to_string(),
                        row.count_b.to_string(),
                        format_duration_ns(row.total_a_ns),
                        format_duration_ns(row.total_b_ns),
                        format_delta_ns(row.delta_ns),
                        change_name(row.change).to_owned(),
                    ];
                    for cell in cells {
                        table_row.col(|ui| {
                            ui.label(text(cell));
                        });
                    }
                });
            });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Trace;
    use crate::model::synthetic_trace::bare_span;

    fn analysed(spans: &[(Option<u32>, &str, &str, u64, u64)]) -> AnalysedTrace {
        AnalysedTrace::new(Trace {
            spans: spans
                .iter()
                .map(|&(p, svc, op, s, e)| bare_span(p, svc, op, s, e))
                .collect(),
            ..Trace::default()
        })
    }

    #[test]
    fn rows_spell_out_paths_and_put_the_largest_change_first() {
        let a = analysed(&[
            (None, "fe", "GET", 0, 100),
            (Some(0), "db", "q", 10, 20),
            (Some(0), "cache", "get", 30, 40),
        ]);
        let b = analysed(&[
            (None, "fe", "GET", 0, 150),
            (Some(0), "db", "q", 10, 30),
            (Some(0), "db", "q", 40, 60),
        ]);
        let got: Vec<_> = compare_rows(&a, &b)
            .into_iter()
            .map(|r| (r.path, r.count_a, r.count_b, r.delta_ns, r.change))
            .collect();
        assert_eq!(
            got,
            vec![
                ("fe: GET".into(), 1, 1, 50, PathChange::Same),
                ("fe: GET > db: q".into(), 1, 2, 30, PathChange::Changed),
                (
                    "fe: GET > cache: get".into(),
                    1,
                    0,
                    -10,
                    PathChange::Removed
                ),
            ]
        );
    }

    #[test]
    fn added_or_slower_is_red_and_removed_or_faster_green() {
        let row = |change, delta_ns| CompareRow {
            path: String::new(),
            count_a: 1,
            count_b: 1,
            total_a_ns: 0,
            total_b_ns: 0,
            delta_ns,
            change,
        };
        use PathChange::*;
        assert_eq!(row_color(&row(Added, 5)), Some(WORSE_COLOR));
        assert_eq!(row_color(&row(Removed, -5)), Some(BETTER_COLOR));
        assert_eq!(row_color(&row(Changed, 3)), Some(WORSE_COLOR));
        assert_eq!(row_color(&row(Same, -3)), Some(BETTER_COLOR));
        assert_eq!(row_color(&row(Same, 0)), None);
    }

    #[test]
    fn deltas_carry_their_sign() {
        assert_eq!(format_delta_ns(10_000_000), "+10.00 ms");
        assert_eq!(format_delta_ns(-4_000_000), "-4.00 ms");
        assert_eq!(format_delta_ns(0), "0 µs");
    }
}
