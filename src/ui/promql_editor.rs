//! The PromQL editor: a code field with highlighting, the parser's error underlined and named
//! below it as you type, and Ctrl+Enter to run.

use crate::analysis::promql_syntax::{SyntaxError, TokenKind, check, tokens};
use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, Key, Modifiers, RichText, Stroke};
use std::sync::Arc;

/// What happened in the editor this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EditorResponse {
    /// Ctrl+Enter was pressed in it.
    pub run: bool,
    pub changed: bool,
    pub has_focus: bool,
}

/// Draws the editor for `text`, named `label` for screen readers and tests.
pub fn promql_editor_ui(
    ui: &mut egui::Ui,
    id: egui::Id,
    label: &str,
    text: &mut String,
    hint: &str,
) -> EditorResponse {
    // Consumed before the editor sees it, so Ctrl+Enter runs instead of adding a newline.
    let run = ui.memory(|m| m.has_focus(id))
        && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    let error = syntax_error(ui, id, text);
    let dark = ui.visuals().dark_mode;
    let mut layouter = |ui: &egui::Ui, buffer: &dyn egui::TextBuffer, wrap_width: f32| {
        let mut job = highlighted(ui, buffer.as_str(), dark, error.as_deref());
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let response = ui
        .add(
            egui::TextEdit::multiline(text)
                .id(id)
                .code_editor()
                .desired_rows(1)
                .desired_width(f32::INFINITY)
                .hint_text(hint)
                .layouter(&mut layouter),
        )
        .on_hover_text(label);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, label));
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
    }
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
