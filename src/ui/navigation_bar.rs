//! The navigation bar: Back and Forward through the places links led to (also Alt+← and
//! Alt+→), the breadcrumb of how the user got here, and a field to open a pasted
//! `signalscope://` link.

use super::action::Action;
use crate::workspace::LinkOpening;
use egui::{Key, Modifiers, RichText};

/// What the bar shows of the navigation history.
pub struct NavigationView<'a> {
    /// Where Back and Forward lead, if anywhere.
    pub back: Option<&'a str>,
    pub forward: Option<&'a str>,
    /// Oldest first, ending with the place on show.
    pub trail: Vec<&'a str>,
}

pub fn navigation_bar_ui(
    ui: &mut egui::Ui,
    view: NavigationView<'_>,
    link_text: &mut String,
    opening: &mut LinkOpening,
) -> Vec<Action> {
    let mut actions = Vec::new();
    // Alt+arrows move the cursor by words in a text field; only outside one do they navigate.
    let typing = ui.ctx().memory(|m| m.focused().is_some());
    if !typing {
        if view.back.is_some() && ui.input_mut(|i| i.consume_key(Modifiers::ALT, Key::ArrowLeft)) {
            actions.push(Action::Back);
        }
        if view.forward.is_some()
            && ui.input_mut(|i| i.consume_key(Modifiers::ALT, Key::ArrowRight))
        {
            actions.push(Action::Forward);
        }
    }
    ui.horizontal(|ui| {
        let back = ui
            .add_enabled(view.back.is_some(), egui::Button::new("Back"))
            .on_hover_text(match view.back {
                Some(place) => format!("Back to {place} (Alt+Left)"),
                None => "Links you follow can be retraced here (Alt+Left)".to_owned(),
            });
        if back.clicked() {
            actions.push(Action::Back);
        }
        let forward = ui
            .add_enabled(view.forward.is_some(), egui::Button::new("Forward"))
            .on_hover_text(match view.forward {
                Some(place) => format!("Forward to {place} (Alt+Right)"),
                None => "Nothing ahead (Alt+Right)".to_owned(),
            });
        if forward.clicked() {
            actions.push(Action::Forward);
        }
        let last = view.trail.len().saturating_sub(1);
        for (i, place) in view.trail.iter().enumerate() {
            if i > 0 {
                ui.label(RichText::new(">").weak());
            }
            let text = RichText::new(*place).small();
            if i == last {
                ui.label(text.strong());
            } else {
                ui.label(text.weak());
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let open = ui.button("Open link");
            let field = ui.add(
                egui::TextEdit::singleline(link_text)
                    .hint_text("signalscope://…")
                    .desired_width(220.0),
            );
            let label = ui.label("Link");
            ui.checkbox(&mut opening.sync_time, "Links set the global time")
                .on_hover_text(
                    "On: a link's range becomes every panel's range. Off: only the panel it opens takes it.",
                );
            ui.checkbox(&mut opening.beside, "Open links beside")
                .on_hover_text("Open a link's target in a panel beside the one you clicked in");
            let field = field.labelled_by(label.id);
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if (open.clicked() || entered) && !link_text.trim().is_empty() {
                actions.push(Action::OpenLinkText(link_text.trim().to_owned()));
            }
        });
    });
    actions
}
