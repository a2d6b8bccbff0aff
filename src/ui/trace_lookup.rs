//! "Trace ID" in the traces panel header (Jaeger UI's "Lookup by Trace ID"): a pasted id,
//! hex or base64, opened from the panel's source as a click in the list would.

use crate::model::TraceId;
use crate::workspace::PanelId;
use egui::Key;

/// What the field holds between frames.
#[derive(Clone, Default)]
struct LookupState {
    text: String,
    /// Why the last entry was not a trace id.
    error: Option<String>,
}

/// Draws the field and its button; returns the id entered (Enter or the button) when it is one.
pub fn trace_lookup_ui(ui: &mut egui::Ui, panel: PanelId) -> Option<TraceId> {
    let state_id = ui.make_persistent_id(("trace_lookup", panel));
    let mut state: LookupState = ui.data(|d| d.get_temp(state_id)).unwrap_or_default();
    let label = ui.label("Trace ID");
    let field = ui
        .add(
            egui::TextEdit::singleline(&mut state.text)
                .hint_text("hex or base64")
                .desired_width(150.0),
        )
        .labelled_by(label.id)
        .on_hover_text("Open a trace by its id from this panel's source");
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
    let clicked = ui.button("Look up").clicked();
    let mut found = None;
    if (entered || clicked) && !state.text.trim().is_empty() {
        let text = state.text.trim();
        match TraceId::parse(text) {
            Some(id) => {
                state.error = None;
                found = Some(id);
            }
            None => {
                state.error = Some(format!(
                    "“{text}” is not a trace id: 32 hex digits (or fewer, padded), or base64 of 16 bytes"
                ));
            }
        }
    }
    if field.changed() {
        state.error = None;
    }
    if let Some(error) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    ui.data_mut(|d| d.insert_temp(state_id, state));
    found
}
