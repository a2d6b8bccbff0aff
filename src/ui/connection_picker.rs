//! The "Connection" combo box of a panel: only the connections that can answer its signal.

use crate::workspace::{Connection, ConnectionId, Signal};

/// Shows the picker; true when the user chose another connection.
pub fn connection_picker(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    connections: &[Connection],
    signal: Signal,
    chosen: &mut Option<ConnectionId>,
) -> bool {
    let selected = chosen
        .and_then(|c| connections.iter().find(|x| x.id == c))
        .map_or("(no connection)", |c| c.name.as_str());
    let before = *chosen;
    egui::ComboBox::new(id_salt, "Connection")
        .selected_text(selected)
        .show_ui(ui, |ui| {
            for c in connections.iter().filter(|c| c.kind.serves(signal)) {
                ui.selectable_value(chosen, Some(c.id), &c.name);
            }
        });
    *chosen != before
}
