//! The PromQL editor: a code field with highlighting, the parser's error underlined and named
//! below it as you type, completions for what the cursor is in (metric names, functions with
//! their signatures, label names and values, durations, keywords) from the connection's
//! cached names, and Ctrl+Enter to run. Tab or a click takes a completion; Esc hides them.

use crate::analysis::logql_completion::logql_completion_at;
use crate::analysis::promql_completion::candidates::{Candidate, candidates};
use crate::analysis::promql_completion::{CompletionContext, completion_at};
use crate::analysis::promql_syntax::{SyntaxError, TokenKind, check, tokens};
use crate::analysis::traceql_completion::traceql_completion_at;
use crate::sources::completion::CompletionCache;
use egui::text::{CCursor, CCursorRange, LayoutJob, TextFormat};
use egui::{Color32, Key, Modifiers, RichText, Stroke};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Completions shown at once.
const SHOWN_COMPLETIONS: usize = 8;

/// What happened in the editor this frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EditorResponse {
    /// Ctrl+Enter was pressed in it.
    pub run: bool,
    pub changed: bool,
    pub has_focus: bool,
    /// Names the completions need that are not cached yet: the app fetches them.
    pub fetch: Option<CompletionContext>,
}

/// The editor's completion state between frames.
#[derive(Clone, Debug, Default)]
struct CompletionState {
    highlighted: usize,
    /// Esc hid the list for this text.
    hidden_for: Option<String>,
}

/// The query language an editor holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryLanguage {
    PromQL,
    /// LogQL: PromQL's selector completion in the stream selector, pipeline stages after
    /// `|`; no PromQL highlighting or syntax check.
    LogQL,
    /// TraceQL: tag names and values inside span sets (Tempo's tags).
    TraceQL,
}

/// Draws the PromQL editor for `text`, named `label` for screen readers and tests.
pub fn promql_editor_ui(
    ui: &mut egui::Ui,
    id: egui::Id,
    label: &str,
    text: &mut String,
    hint: &str,
    completion: Option<&Mutex<CompletionCache>>,
) -> EditorResponse {
    query_editor_ui(ui, id, label, text, hint, completion, QueryLanguage::PromQL)
}

/// Draws a query editor for `text` in `language`, named `label` for screen readers and
/// tests.
pub fn query_editor_ui(
    ui: &mut egui::Ui,
    id: egui::Id,
    label: &str,
    text: &mut String,
    hint: &str,
    completion: Option<&Mutex<CompletionCache>>,
    language: QueryLanguage,
) -> EditorResponse {
    let focused = ui.memory(|m| m.has_focus(id));
    // Consumed before the editor sees it, so Ctrl+Enter runs instead of adding a newline.
    let run = focused && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    // The completion keys, likewise, while the list is open (decided from the last frame).
    let state_id = id.with("completion");
    let mut state: CompletionState = ui.data(|d| d.get_temp(state_id)).unwrap_or_default();
    let list_open = ui
        .data(|d| d.get_temp::<bool>(id.with("list_open")))
        .unwrap_or(false);
    let (mut down, mut up, mut accept, mut escape) = (false, false, false, false);
    if focused && list_open {
        ui.input_mut(|i| {
            down = i.consume_key(Modifiers::NONE, Key::ArrowDown);
            up = i.consume_key(Modifiers::NONE, Key::ArrowUp);
            accept = i.consume_key(Modifiers::NONE, Key::Tab);
            escape = i.consume_key(Modifiers::NONE, Key::Escape);
        });
    }
    let promql = language == QueryLanguage::PromQL;
    let error = if promql {
        syntax_error(ui, id, text)
    } else {
        None
    };
    let dark = ui.visuals().dark_mode;
    let mut layouter = |ui: &egui::Ui, buffer: &dyn egui::TextBuffer, wrap_width: f32| {
        let mut job = if promql {
            highlighted(ui, buffer.as_str(), dark, error.as_deref())
        } else {
            LayoutJob::simple(
                buffer.as_str().to_owned(),
                egui::TextStyle::Monospace.resolve(ui.style()),
                ui.visuals().text_color(),
                f32::INFINITY,
            )
        };
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let mut output = egui::TextEdit::multiline(text)
        .id(id)
        .code_editor()
        .desired_rows(1)
        .desired_width(f32::INFINITY)
        .hint_text(hint)
        .layouter(&mut layouter)
        .show(ui);
    let response = output.response.response.clone().on_hover_text(label);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, label));
    let mut fetch = None;
    let mut open_now = false;
    if response.has_focus()
        && let Some(cursor) = output.cursor_range.map(|r| r.primary.index)
    {
        let byte = text
            .char_indices()
            .nth(cursor.0)
            .map_or(text.len(), |(b, _)| b);
        ui.data_mut(|d| d.insert_temp(id.with("cursor_byte"), byte));
        let at = match language {
            QueryLanguage::PromQL => completion_at(text, byte),
            QueryLanguage::LogQL => logql_completion_at(text, byte),
            QueryLanguage::TraceQL => traceql_completion_at(text, byte),
        };
        if escape {
            state.hidden_for = Some(text.clone());
        }
        let hidden = state.hidden_for.as_deref() == Some(text.as_str());
        let vocabulary = match (&at.context, completion) {
            (CompletionContext::Nothing, _) => None,
            (context, Some(cache)) => {
                let cached = cache
                    .lock()
                    .ok()
                    .and_then(|c| c.vocabulary(context, Instant::now()));
                if cached.is_none() {
                    fetch = Some(context.clone());
                }
                cached
            }
            (_, None) => Some(Default::default()),
        };
        let list: Vec<Candidate> = vocabulary
            .map(|v| candidates(&at, &v))
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.insert != at.typed)
            .take(SHOWN_COMPLETIONS)
            .collect();
        // Offer completions once something is typed, or where only a few things fit.
        let worth_showing = !at.typed.is_empty()
            || matches!(
                at.context,
                CompletionContext::LabelName { .. }
                    | CompletionContext::LabelValue { .. }
                    | CompletionContext::GroupingLabel { .. }
                    | CompletionContext::Duration
            )
            || (!promql && matches!(at.context, CompletionContext::Keyword { .. }));
        if !list.is_empty() && !hidden && worth_showing {
            open_now = true;
            if down {
                state.highlighted = (state.highlighted + 1) % list.len();
            }
            if up {
                state.highlighted = (state.highlighted + list.len() - 1) % list.len();
            }
            state.highlighted = state.highlighted.min(list.len() - 1);
            let mut chosen = accept.then_some(state.highlighted);
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                for (i, c) in list.iter().enumerate() {
                    let text = RichText::new(format!("{}  {}", c.label, c.detail)).monospace();
                    let r = ui.add(egui::Button::selectable(i == state.highlighted, text));
                    let r = if c.doc.is_empty() {
                        r
                    } else {
                        r.on_hover_text(&c.doc)
                    };
                    if r.clicked() {
                        chosen = Some(i);
                    }
                }
            });
            if let Some(i) = chosen {
                let c = &list[i];
                text.replace_range(at.replace.clone(), &c.insert);
                let end = text[..at.replace.start + c.insert.len()].chars().count();
                output
                    .state
                    .cursor
                    .set_char_range(Some(CCursorRange::one(CCursor::new(end))));
                output.state.store(ui.ctx(), id);
                ui.memory_mut(|m| m.request_focus(id));
                state.highlighted = 0;
                open_now = false;
            }
        }
    }
    ui.data_mut(|d| {
        d.insert_temp(state_id, state);
        d.insert_temp(id.with("list_open"), open_now);
    });
    if let Some(e) = &error {
        ui.label(
            RichText::new(format!("Syntax error: {}", e.message))
                .small()
                .color(error_color(dark)),
        );
    }
    EditorResponse {
        run,
        changed: response.changed(),
        has_focus: response.has_focus(),
        fetch,
    }
}

/// Where the editor's cursor was when it last had focus (a byte offset), for inserting text
/// from elsewhere (the metric browser) at the cursor.
/// A menu of the queries run before on a connection (disabled when there are none); returns
/// the one picked.
pub fn query_history_menu(
    ui: &mut egui::Ui,
    label: &str,
    hover: &str,
    history: &[String],
) -> Option<String> {
    let mut picked = None;
    ui.add_enabled_ui(!history.is_empty(), |ui| {
        ui.menu_button(label, |ui| {
            egui::ScrollArea::vertical()
                .max_height(300.0)
                .show(ui, |ui| {
                    for past in history {
                        let text = RichText::new(past).monospace().small();
                        if ui.add(egui::Button::new(text).truncate()).clicked() {
                            picked = Some(past.clone());
                            ui.close();
                        }
                    }
                });
        })
        .response
        .on_hover_text(hover);
    });
    picked
}

pub fn last_cursor(ctx: &egui::Context, id: egui::Id) -> Option<usize> {
    ctx.data(|d| d.get_temp(id.with("cursor_byte")))
}

/// The parser's verdict on `text`, recomputed only when the text changes.
fn syntax_error(ui: &egui::Ui, id: egui::Id, text: &str) -> Option<Arc<SyntaxError>> {
    let hash = {
        use std::hash::{Hash as _, Hasher as _};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        h.finish()
    };
    let cache_id = id.with("syntax");
    type Cached = (u64, Option<Arc<SyntaxError>>);
    if let Some((h, e)) = ui.data(|d| d.get_temp::<Cached>(cache_id))
        && h == hash
    {
        return e;
    }
    let error = check(text).map(Arc::new);
    ui.data_mut(|d| d.insert_temp::<Cached>(cache_id, (hash, error.clone())));
    error
}

fn error_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xff, 0x73, 0x83)
    } else {
        Color32::from_rgb(0xc4, 0x16, 0x2a)
    }
}

fn token_color(kind: TokenKind, dark: bool) -> Option<Color32> {
    let (d, l) = match kind {
        TokenKind::Function => ((0x8a, 0xb8, 0xff), (0x1f, 0x60, 0xc4)),
        TokenKind::Keyword => ((0xd1, 0x9a, 0x66), (0xa0, 0x50, 0x00)),
        TokenKind::String => ((0x98, 0xc3, 0x79), (0x38, 0x7a, 0x1f)),
        TokenKind::Number | TokenKind::Duration => ((0xe5, 0xc0, 0x7b), (0x98, 0x68, 0x01)),
        TokenKind::Comment => ((0x80, 0x80, 0x80), (0x70, 0x70, 0x70)),
        TokenKind::Operator => ((0xc6, 0x78, 0xdd), (0x8a, 0x2b, 0xa8)),
        TokenKind::Identifier | TokenKind::Punctuation => return None,
    };
    let (r, g, b) = if dark { d } else { l };
    Some(Color32::from_rgb(r, g, b))
}

fn highlighted(ui: &egui::Ui, text: &str, dark: bool, error: Option<&SyntaxError>) -> LayoutJob {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let plain = ui.visuals().text_color();
    let mut colors = vec![plain; text.len()];
    for token in tokens(text) {
        if let Some(color) = token_color(token.kind, dark) {
            colors[token.range].fill(color);
        }
    }
    let underline = error.map(|e| e.range.clone()).unwrap_or(0..0);
    let mut job = LayoutJob::default();
    if text.is_empty() {
        return job;
    }
    let mut start = 0;
    // One section per run of bytes with the same look, cut only at char boundaries.
    for (i, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
        let same = i < text.len()
            && colors[i] == colors[start]
            && underline.contains(&i) == underline.contains(&start);
        if same {
            continue;
        }
        let mut format = TextFormat::simple(font.clone(), colors[start]);
        if underline.contains(&start) {
            format.underline = Stroke::new(1.5, error_color(dark));
        }
        job.append(&text[start..i], 0.0, format);
        start = i;
    }
    job
}
