//! The "Panel menu" every panel header carries: view alone, export as PNG, the panel's own
//! items, remove.

use super::action::Action;
use crate::workspace::PanelId;

/// Draws the menu button with View panel and Export as PNG…, then `items` (the panel's own entries; they
/// close the menu themselves), then Remove panel.
pub fn panel_menu_with(
    ui: &mut egui::Ui,
    id: PanelId,
    actions: &mut Vec<Action>,
    items: impl FnOnce(&mut egui::Ui, &mut Vec<Action>),
) {
    ui.menu_button("Panel menu", |ui| {
        if ui
            .button("View panel")
            .on_hover_text("Show this panel alone, at full height (Esc shows all)")
            .clicked()
        {
            actions.push(Action::ViewPanel(Some(id)));
            ui.close();
        }
        if ui.button("Export as PNG…").clicked() {
            actions.push(Action::ExportPng {
                panel: id,
                path: None,
            });
            ui.close();
        }
        items(ui, actions);
        ui.separator();
        if ui.button("Remove panel").clicked() {
            actions.push(Action::RemovePanel(id));
            ui.close();
        }
    });
}

/// [`panel_menu_with`] with nothing of the panel's own.
pub fn panel_menu(ui: &mut egui::Ui, id: PanelId, actions: &mut Vec<Action>) {
    panel_menu_with(ui, id, actions, |_, _| {});
}
