//! The logs panel: filters, a volume histogram stacked by level, find-in-results, a
//! virtualized table of up to a million lines and the selected line's details.

use super::action::Action;
use super::log_detail::{LogDetail, log_detail_ui};
use super::log_table::{LogTableView, log_table_ui};
use super::log_volume_chart::log_volume_ui;
use super::panel_menu::panel_menu;
use super::promql_editor::{QueryLanguage, query_editor_ui, query_history_menu};
use crate::analysis::log_dedup::{DedupMode, dedup};
use crate::analysis::log_search::find_rows;
use crate::analysis::log_volume::{LogVolume, VOLUME_BUCKETS, log_volume};
use crate::model::{LogBatch, TimeRange, TimeZoneChoice};
use crate::sources::SourceError;
use crate::sources::completion::CompletionCache;
use crate::ui::connection_picker::connection_picker;
use crate::workspace::{Connection, LogsPanel, PanelId, Signal, SourceKind};
use egui::{Color32, RichText};
use std::sync::{Arc, Mutex};

/// Loaded rows, the range (Unix seconds) they were loaded over, and the server's volume.
pub type LoadedLogs<'a> = (&'a Arc<LogBatch>, (f64, f64), Option<&'a ServerVolume>);

/// The volume histogram as the server counted it, or why it could not.
pub type ServerVolume = Result<Arc<LogVolume>, String>;

/// A live tail's state, as the panel shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveStatus {
    pub lines_per_second: f64,
    pub paused: bool,
    /// Lines that arrived while paused.
    pub unseen: u64,
    /// Entries Loki reported it could not send.
    pub dropped_by_loki: u64,
    /// Lines dropped because we fell behind.
    pub dropped_behind: u64,
    /// Lines trimmed off the old end of the bounded buffer.
    pub trimmed: u64,
    pub connected: bool,
    /// Why the last connection failed (it is retried).
    pub error: Option<String>,
}

pub struct LogsPanelView<'a> {
    pub id: PanelId,
    pub spec: &'a mut LogsPanel,
    /// The load in flight: how long it has run, bytes and lines received.
    pub loading: Option<(std::time::Duration, u64, u64)>,
    /// The loaded rows and the range (Unix seconds) they were loaded over.
    pub last: Option<Result<LoadedLogs<'a>, &'a SourceError>>,
    pub zone: TimeZoneChoice,
    /// The workspace's connections, for the panel's connection picker.
    pub connections: &'a [Connection],
    /// LogQL run before on the panel's connection, most recent first.
    pub history: &'a [String],
    /// The connection's cached label names and values, for LogQL completion.
    pub completion: Option<&'a std::sync::Mutex<CompletionCache>>,
    /// The live tail, when one runs.
    pub live: Option<LiveStatus>,
}

/// Severity choices offered in the filter.
const SEVERITIES: &[(u8, &str)] = &[(0, "All"), (9, "Info+"), (13, "Warn+"), (17, "Error+")];

pub fn severity_color(severity: u8) -> Color32 {
    match severity {
        17.. => Color32::from_rgb(0xf2, 0x49, 0x5c),
        13..=16 => Color32::from_rgb(0xf2, 0xcc, 0x0c),
        9..=12 => Color32::from_rgb(0x73, 0xbf, 0x69),
        _ => Color32::GRAY,
    }
}

pub fn logs_panel_ui(ui: &mut egui::Ui, view: LogsPanelView<'_>) -> Vec<Action> {
    let LogsPanelView {
        id,
        spec,
        loading,
        last,
        zone,
        connections,
        history,
        completion,
        live,
    } = view;
    let mut actions = Vec::new();
    let mut changed = false;
    let on_loki = spec
        .connection
        .and_then(|c| connections.iter().find(|x| x.id == c))
        .is_some_and(|c| c.kind == SourceKind::Loki);
    ui.horizontal_wrapped(|ui| {
        changed |= connection_picker(
            ui,
            ("log_connection", id),
            connections,
            Signal::Logs,
            &mut spec.connection,
        );
        if ui
            .button("Copy link")
            .on_hover_text("Copy a signalscope:// link that reopens this view")
            .clicked()
        {
            actions.push(Action::CopyLink(id));
        }
        panel_menu(ui, id, &mut actions);
        if on_loki {
            changed |= logql_field_ui(ui, id, spec, completion, &mut actions);
            // A query picked from the history runs.
            if let Some(past) = query_history_menu(
                ui,
                "History",
                "LogQL run before on this connection",
                history,
            ) {
                spec.query = past;
                changed = true;
            }
        } else {
            changed |= local_filters_ui(ui, id, spec);
        }
        if ui.button("Search logs").clicked() {
            changed = true;
        }
        if let Some((elapsed, bytes, lines)) = loading {
            ui.spinner();
            ui.label(
                RichText::new(format!(
                    "{lines} lines, {} in {:.1} s",
                    super::metrics_panel::format_bytes(bytes),
                    elapsed.as_secs_f32()
                ))
                .small()
                .weak(),
            );
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelQuery(id));
            }
        }
    });
    if on_loki {
        live_ui(ui, id, live.as_ref(), &mut actions);
    }
    if changed {
        actions.push(Action::RunQuery(id));
    }
    logs_result_ui(ui, id, spec, last, zone, on_loki, &mut actions);
    actions
}

/// The live tail's controls and counts: start, pause or resume, stop; lines per second and
/// every kind of loss.
fn live_ui(ui: &mut egui::Ui, id: PanelId, live: Option<&LiveStatus>, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        let Some(live) = live else {
            if ui
                .button("Live")
                .on_hover_text("Tail new lines as they arrive")
                .clicked()
            {
                actions.push(Action::StartLive(id));
            }
            return;
        };
        let (text, pause) = if live.paused {
            ("Resume", false)
        } else {
            ("Pause", true)
        };
        if ui.button(text).clicked() {
            actions.push(Action::PauseLive(id, pause));
        }
        if ui.button("Stop live").clicked() {
            actions.push(Action::StopLive(id));
        }
        let state = match (live.connected, live.paused) {
            (false, _) => "Live: connecting".to_owned(),
            (true, true) => format!("Live, paused: {} new lines", live.unseen),
            (true, false) => format!("Live: {:.1} lines/s", live.lines_per_second),
        };
        ui.label(RichText::new(state).strong());
        let warn = Color32::from_rgb(0xe0, 0xb0, 0x30);
        if live.dropped_by_loki > 0 {
            ui.colored_label(
                warn,
                format!("Loki dropped {} entries", live.dropped_by_loki),
            );
        }
        if live.dropped_behind > 0 {
            ui.colored_label(
                warn,
                format!("{} lines dropped while behind", live.dropped_behind),
            );
        }
        if live.trimmed > 0 {
            ui.label(
                RichText::new(format!("{} oldest lines trimmed", live.trimmed))
                    .small()
                    .weak(),
            );
        }
        if let Some(e) = &live.error
            && !live.connected
        {
            ui.colored_label(ui.visuals().error_fg_color, format!("retrying: {e}"));
        }
    });
}

/// The LogQL editor of a Loki panel (label names and values from the server, pipeline
/// stages after `|`); true when the user asked to run it (Ctrl+Enter).
fn logql_field_ui(
    ui: &mut egui::Ui,
    id: PanelId,
    spec: &mut LogsPanel,
    completion: Option<&std::sync::Mutex<CompletionCache>>,
    actions: &mut Vec<Action>,
) -> bool {
    let width = (ui.available_width() - 240.0).max(240.0);
    let editor = ui
        .allocate_ui(egui::vec2(width, 24.0), |ui| {
            query_editor_ui(
                ui,
                ui.make_persistent_id(("logql", id)),
                "LogQL",
                &mut spec.query,
                "{service_name=\"checkout\"} |= \"error\"   (Ctrl+Enter runs)",
                completion,
                QueryLanguage::LogQL,
            )
        })
        .inner;
    if let Some(context) = editor.fetch {
        actions.push(Action::FetchCompletions { panel: id, context });
    }
    editor.run
}

/// The filters of a logs panel on the Local source; true when one changed.
fn local_filters_ui(ui: &mut egui::Ui, id: PanelId, spec: &mut LogsPanel) -> bool {
    let mut changed = false;
    let l = ui.label("Service");
    changed |= ui
        .add(
            egui::TextEdit::singleline(&mut spec.service)
                .hint_text("all")
                .desired_width(100.0),
        )
        .labelled_by(l.id)
        .lost_focus();
    egui::ComboBox::new(("log_severity", id), "Severity")
        .selected_text(
            SEVERITIES
                .iter()
                .find(|s| s.0 == spec.min_severity)
                .map_or("All", |s| s.1),
        )
        .show_ui(ui, |ui| {
            for &(n, label) in SEVERITIES {
                changed |= ui
                    .selectable_value(&mut spec.min_severity, n, label)
                    .changed();
            }
        });
    let l = ui.label("Text");
    changed |= ui
        .add(
            egui::TextEdit::singleline(&mut spec.text)
                .hint_text("contains…")
                .desired_width(160.0),
        )
        .labelled_by(l.id)
        .lost_focus();
    let l = ui.label("Trace id");
    changed |= ui
        .add(
            egui::TextEdit::singleline(&mut spec.trace_id)
                .hint_text("any")
                .desired_width(120.0),
        )
        .labelled_by(l.id)
        .lost_focus();
    changed
}

/// The loaded lines, or why there are none.
fn logs_result_ui(
    ui: &mut egui::Ui,
    id: PanelId,
    spec: &mut LogsPanel,
    last: Option<Result<LoadedLogs<'_>, &SourceError>>,
    zone: TimeZoneChoice,
    on_loki: bool,
    actions: &mut Vec<Action>,
) {
    match last {
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
        Some(Ok((batch, _, _))) if batch.is_empty() => {
            ui.label("No log records match in this time range.");
        }
        Some(Ok((batch, range, server_volume))) => {
            if batch.matched > batch.len() {
                // Never cut silently: say how much is not shown.
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "Showing the newest {} of {} matching records; narrow the time range or filters to see the rest.",
                        batch.len(),
                        batch.matched
                    ),
                );
            }
            if batch.more_available {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "Showing the newest {} lines; the server has more in this range. Narrow the time range or the query to see the rest.",
                        batch.len()
                    ),
                );
            }
            let view = LogView {
                id,
                batch,
                range,
                zone,
                on_loki,
                server_volume,
            };
            actions.extend(log_view_ui(ui, spec, view));
        }
        None => {}
    }
}

/// What the log view remembers between frames (not saved): the selection, the search and
/// its matches, and the derived volume histogram.
#[derive(Clone, Default)]
struct LogViewState {
    selected: Option<usize>,
    show_full: bool,
    search: String,
    /// Matches of `search` in the batch `matches_for` names.
    matches: Arc<Vec<u32>>,
    matches_for: Option<(BatchKey, String)>,
    pending: Option<(BatchKey, String, SearchSlot)>,
    current: usize,
    volume: Option<(BatchKey, Arc<LogVolume>)>,
    dedup: DedupMode,
    /// The de-duplicated lines for a batch and mode, with the duplicates each row stands for.
    deduped: Option<(BatchKey, DedupMode, Deduped)>,
    dedup_pending: Option<(BatchKey, DedupMode, DedupSlot)>,
}

/// A batch with successive duplicates folded, and how many each kept row stands for.
type Deduped = (Arc<LogBatch>, Arc<Vec<u32>>);
type DedupSlot = Arc<Mutex<Option<Deduped>>>;

/// Folds successive duplicate lines of `batch` (in table order).
fn fold_duplicates(batch: &LogBatch, mode: DedupMode) -> Deduped {
    let folded = dedup((0..batch.len()).map(|i| (i, batch.body(i))), mode);
    let mut out = LogBatch::default();
    out.extend_from(batch, &folded.keep);
    (Arc::new(out), Arc::new(folded.duplicates))
}

/// The lines the table shows: `batch` itself, or its de-duplicated copy once ready (made on a
/// worker thread for large batches; the lines as loaded show meanwhile).
fn shown_lines(
    ctx: &egui::Context,
    state: &mut LogViewState,
    batch: &Arc<LogBatch>,
    key: BatchKey,
) -> (Arc<LogBatch>, Option<Arc<Vec<u32>>>) {
    let mode = state.dedup;
    if mode == DedupMode::None {
        return (Arc::clone(batch), None);
    }
    if let Some((k, m, (b, d))) = &state.deduped
        && (*k, *m) == (key, mode)
    {
        return (Arc::clone(b), Some(Arc::clone(d)));
    }
    if batch.len() <= BACKGROUND_SEARCH_ROWS {
        let done = fold_duplicates(batch, mode);
        state.deduped = Some((key, mode, done.clone()));
        return (done.0, Some(done.1));
    }
    match &state.dedup_pending {
        Some((k, m, slot)) if (*k, *m) == (key, mode) => {
            if let Some(done) = slot.lock().ok().and_then(|mut s| s.take()) {
                state.deduped = Some((key, mode, done.clone()));
                state.dedup_pending = None;
                return (done.0, Some(done.1));
            }
            ctx.request_repaint_after(std::time::Duration::from_millis(30));
        }
        _ => {
            let slot: DedupSlot = Arc::new(Mutex::new(None));
            let (b, out, ctx2) = (Arc::clone(batch), Arc::clone(&slot), ctx.clone());
            std::thread::spawn(move || {
                let done = fold_duplicates(&b, mode);
                if let Ok(mut out) = out.lock() {
                    *out = Some(done);
                }
                ctx2.request_repaint();
            });
            state.dedup_pending = Some((key, mode, slot));
        }
    }
    (Arc::clone(batch), None)
}

/// Where a worker thread leaves the rows it found.
type SearchSlot = Arc<Mutex<Option<Vec<u32>>>>;

/// Identifies a loaded batch without hashing its rows.
type BatchKey = (usize, usize, u64, u64);

fn batch_key(batch: &Arc<LogBatch>, range: (f64, f64)) -> BatchKey {
    (
        Arc::as_ptr(batch) as usize,
        batch.len(),
        range.0.to_bits(),
        range.1.to_bits(),
    )
}

/// Batches with more rows than this are searched on a worker thread.
const BACKGROUND_SEARCH_ROWS: usize = 100_000;

/// What the log view draws: a panel's loaded lines over their range.
struct LogView<'a> {
    id: PanelId,
    batch: &'a Arc<LogBatch>,
    range: (f64, f64),
    zone: TimeZoneChoice,
    on_loki: bool,
    server_volume: Option<&'a ServerVolume>,
}

fn log_view_ui(ui: &mut egui::Ui, spec: &mut LogsPanel, view: LogView<'_>) -> Vec<Action> {
    let LogView {
        id,
        batch,
        range,
        zone,
        on_loki,
        server_volume,
    } = view;
    let mut actions = Vec::new();
    let state_id = ui.make_persistent_id(("log_view", id));
    let mut state: LogViewState = ui.data(|d| d.get_temp(state_id)).unwrap_or_default();
    let key = batch_key(batch, range);

    // Volume histogram: as the server counted it, else from the loaded rows (one pass,
    // cached per batch).
    let volume = match (server_volume, &state.volume) {
        (Some(Ok(v)), _) => Arc::clone(v),
        (_, Some((k, v))) if *k == key => Arc::clone(v),
        _ => {
            let ns = |t: f64| (t.max(0.0) * 1e9) as u64;
            let v = Arc::new(log_volume(
                &batch.time_ns,
                &batch.severity,
                (ns(range.0), ns(range.1)),
                VOLUME_BUCKETS,
            ));
            state.volume = Some((key, Arc::clone(&v)));
            v
        }
    };
    if let Some(Err(e)) = server_volume {
        ui.label(
            RichText::new(format!(
                "Volume of the loaded lines only (Loki's volume query failed: {e})"
            ))
            .small()
            .weak(),
        );
    }
    if let Some(zoom) = log_volume_ui(ui, ("volume", id), &volume, range, zone, 70.0)
        .and_then(|(from, to)| TimeRange::absolute_secs(from, to))
    {
        actions.push(Action::SetTimeRange(zoom));
    }
    // The volume counts every line; the table shows them de-duplicated if asked.
    let mode_before = state.dedup;
    let (shown, duplicates) = shown_lines(ui.ctx(), &mut state, batch, key);
    let batch = &shown;
    let key = batch_key(batch, range);

    // Find in the loaded lines.
    let mut scroll_to = None;
    ui.horizontal(|ui| {
        let l = ui.label("Find in results");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut state.search)
                    .hint_text("text, any case")
                    .desired_width(200.0),
            )
            .labelled_by(l.id);
        update_matches(ui.ctx(), &mut state, batch, key);
        let searching = state.pending.is_some();
        let count = state.matches.len();
        if searching {
            ui.spinner();
        } else if !state.search.is_empty() {
            let position = if count == 0 {
                "no matches".to_owned()
            } else {
                format!("{} of {count} lines", state.current.min(count - 1) + 1)
            };
            ui.label(RichText::new(position).small());
        }
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let mut step = |forward: bool| {
            if count > 0 {
                state.current = if forward {
                    (state.current + 1) % count
                } else {
                    (state.current + count - 1) % count
                };
                let row = state.matches[state.current] as usize;
                state.selected = Some(row);
                scroll_to = Some(row);
            }
        };
        if ui
            .add_enabled(count > 0, egui::Button::new("Previous match"))
            .clicked()
        {
            step(false);
        }
        if ui
            .add_enabled(count > 0, egui::Button::new("Next match"))
            .clicked()
            || enter
        {
            step(true);
        }
        ui.separator();
        egui::ComboBox::new(("log_dedup", id), "Dedup")
            .selected_text(dedup_name(state.dedup))
            .show_ui(ui, |ui| {
                for mode in [
                    DedupMode::None,
                    DedupMode::Exact,
                    DedupMode::Numbers,
                    DedupMode::Signature,
                ] {
                    ui.selectable_value(&mut state.dedup, mode, dedup_name(mode));
                }
            });
        if let Some(d) = &duplicates {
            let hidden: u64 = d.iter().map(|&n| u64::from(n)).sum();
            ui.label(RichText::new(format!("{hidden} duplicates folded")).small());
        }
        ui.checkbox(&mut spec.wrap_lines, "Wrap lines");
        let mut remove = None;
        for (i, name) in spec.columns.iter().enumerate() {
            if ui
                .small_button(format!("{name} x"))
                .on_hover_text(format!("Remove the {name} column"))
                .clicked()
            {
                remove = Some(i);
            }
        }
        if let Some(i) = remove {
            spec.columns.remove(i);
        }
        ui.label(
            RichText::new(format!("{} lines, newest first", batch.len()))
                .small()
                .weak(),
        );
    });

    if state.dedup != mode_before {
        // Row numbers name other lines once the folding changes.
        state.selected = None;
    }
    let detail_height = if state.selected.is_some() { 230.0 } else { 0.0 };
    let table_height = (ui.available_height() - detail_height).max(80.0);
    ui.allocate_ui(egui::vec2(ui.available_width(), table_height), |ui| {
        let before = state.selected;
        let trace_clicked = log_table_ui(
            ui,
            ("log_table", id),
            LogTableView {
                batch,
                zone,
                wrap: spec.wrap_lines,
                search: &state.search,
                scroll_to,
                duplicates: duplicates.as_deref().map(Vec::as_slice),
                columns: &spec.columns,
            },
            &mut state.selected,
        );
        if state.selected != before {
            state.show_full = false;
        }
        if let Some(row) = trace_clicked
            && let Some(trace_id) = batch.trace_id[row]
        {
            actions.push(Action::Follow(crate::workspace::Link::new(
                crate::workspace::LinkTarget::Trace {
                    trace_id,
                    span: batch.span_id[row],
                },
            )));
        }
    });
    if let Some(row) = state.selected.filter(|&r| r < batch.len()) {
        ui.separator();
        let detail = LogDetail {
            panel: id,
            batch,
            row,
            zone,
            on_loki,
            columns: &mut spec.columns,
        };
        actions.extend(log_detail_ui(ui, detail, &mut state.show_full));
    }
    ui.data_mut(|d| d.insert_temp(state_id, state));
    actions
}

fn dedup_name(mode: DedupMode) -> &'static str {
    match mode {
        DedupMode::None => "None",
        DedupMode::Exact => "Exact",
        DedupMode::Numbers => "Numbers",
        DedupMode::Signature => "Signature",
    }
}

/// Keeps `state.matches` in step with the search text and batch: at once for small batches,
/// on a worker thread for large ones (the old matches show meanwhile).
fn update_matches(
    ctx: &egui::Context,
    state: &mut LogViewState,
    batch: &Arc<LogBatch>,
    key: BatchKey,
) {
    let wanted = (key, state.search.clone());
    if state.matches_for.as_ref() == Some(&wanted) {
        return;
    }
    if let Some((k, text, slot)) = &state.pending
        && (*k, text.clone()) == wanted
    {
        let done = slot.lock().ok().and_then(|mut s| s.take());
        if let Some(rows) = done {
            state.matches = Arc::new(rows);
            state.matches_for = Some(wanted);
            state.pending = None;
            state.current = 0;
        } else {
            ctx.request_repaint_after(std::time::Duration::from_millis(30));
        }
        return;
    }
    if batch.len() <= BACKGROUND_SEARCH_ROWS {
        state.matches = Arc::new(find_rows(batch, &state.search));
        state.matches_for = Some(wanted);
        state.pending = None;
        state.current = 0;
        return;
    }
    let slot = Arc::new(Mutex::new(None));
    let (batch, needle, out, ctx) = (
        Arc::clone(batch),
        state.search.clone(),
        Arc::clone(&slot),
        ctx.clone(),
    );
    std::thread::spawn(move || {
        let rows = find_rows(&batch, &needle);
        if let Ok(mut out) = out.lock() {
            *out = Some(rows);
        }
        ctx.request_repaint();
    });
    state.pending = Some((key, state.search.clone(), slot));
}
