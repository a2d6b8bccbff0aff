//! The top bar: File menu, the global time range picker, zoom/shift, refresh and time zone.

use super::action::Action;
use crate::model::time_range::PRESETS;
use crate::model::{TimeRange, TimeZoneChoice};
use crate::workspace::TimeSettings;
use chrono::{DateTime, Utc};
use egui::PopupCloseBehavior;
use egui::containers::menu::{MenuButton, MenuConfig};

/// Auto-refresh choices, in seconds.
pub const AUTO_REFRESH: &[(Option<u32>, &str)] = &[
    (None, "Off"),
    (Some(5), "5s"),
    (Some(10), "10s"),
    (Some(30), "30s"),
    (Some(60), "1m"),
    (Some(300), "5m"),
    (Some(900), "15m"),
];

/// Text in the absolute from/to fields while the user edits them.
#[derive(Default)]
pub struct TimeBarState {
    pub from_text: String,
    pub to_text: String,
    pub error: Option<String>,
    /// The range and zone the texts were filled from; refilled when either changes.
    filled_for: Option<(TimeRange, TimeZoneChoice)>,
}

pub fn time_bar_ui(
    ui: &mut egui::Ui,
    time: &TimeSettings,
    state: &mut TimeBarState,
    now: DateTime<Utc>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    if state.filled_for != Some((time.range, time.zone)) {
        let (from, to) = time.range.resolve(now);
        state.from_text = time.zone.format(from);
        state.to_text = time.zone.format(to);
        state.error = None;
        state.filled_for = Some((time.range, time.zone));
    }

    ui.horizontal_wrapped(|ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open workspace…").clicked() {
                actions.push(Action::OpenWorkspace);
                ui.close();
            }
            if ui.button("Save workspace as…").clicked() {
                actions.push(Action::SaveWorkspaceAs);
                ui.close();
            }
            ui.separator();
            if ui.button("Open trace…").clicked() {
                actions.push(Action::OpenTraceFile);
                ui.close();
            }
        });
        ui.menu_button("Add panel", |ui| {
            for (label, action) in [
                ("Metrics panel", Action::AddMetricsPanel),
                ("SLO panel", Action::AddSloPanel),
                ("SLO overview", Action::AddSloOverview),
                ("Import SLOs (Sloth or OpenSLO)…", Action::ImportSlos),
            ] {
                if ui.button(label).clicked() {
                    actions.push(action);
                    ui.close();
                }
            }
        });
        ui.separator();

        MenuButton::new(time.range.label(time.zone))
            .config(MenuConfig::new().close_behavior(PopupCloseBehavior::CloseOnClickOutside))
            .ui(ui, |ui| {
                ui.label("Relative");
                ui.horizontal_wrapped(|ui| {
                    for &(seconds, label) in PRESETS {
                        let selected = time.range == TimeRange::Relative { seconds };
                        if ui.selectable_label(selected, label).clicked() {
                            actions.push(Action::SetTimeRange(TimeRange::Relative { seconds }));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                ui.label(format!("Absolute ({})", time.zone.name()));
                egui::Grid::new("absolute_range").show(ui, |ui| {
                    let from = ui.label("From");
                    ui.text_edit_singleline(&mut state.from_text)
                        .labelled_by(from.id);
                    ui.end_row();
                    let to = ui.label("To");
                    ui.text_edit_singleline(&mut state.to_text)
                        .labelled_by(to.id);
                    ui.end_row();
                });
                if ui.button("Apply time range").clicked() {
                    match parse_absolute(&state.from_text, &state.to_text, time.zone) {
                        Ok(range) => {
                            actions.push(Action::SetTimeRange(range));
                            ui.close();
                        }
                        Err(e) => state.error = Some(e),
                    }
                }
                if let Some(e) = &state.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
            });

        if ui
            .button("« Earlier")
            .on_hover_text("Shift the range back by half its width")
            .clicked()
        {
            actions.push(Action::SetTimeRange(time.range.shifted(now, -1)));
        }
        if ui
            .button("Later »")
            .on_hover_text("Shift the range forward by half its width")
            .clicked()
        {
            actions.push(Action::SetTimeRange(time.range.shifted(now, 1)));
        }
        if ui.button("Zoom out").clicked() {
            actions.push(Action::SetTimeRange(time.range.zoomed_out(now)));
        }
        if ui
            .button("Refresh")
            .on_hover_text("Run every query now")
            .clicked()
        {
            actions.push(Action::RefreshAll);
        }
        let current = AUTO_REFRESH
            .iter()
            .find(|(s, _)| *s == time.auto_refresh_secs)
            .map_or("custom", |(_, l)| *l);
        egui::ComboBox::from_label("Auto refresh")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for &(secs, label) in AUTO_REFRESH {
                    if ui
                        .selectable_label(time.auto_refresh_secs == secs, label)
                        .clicked()
                    {
                        actions.push(Action::SetAutoRefresh(secs));
                    }
                }
            });
        ui.separator();
        for zone in [TimeZoneChoice::Local, TimeZoneChoice::Utc] {
            if ui
                .selectable_label(time.zone == zone, zone.name())
                .clicked()
                && time.zone != zone
            {
                actions.push(Action::SetZone(zone));
            }
        }
    });
    actions
}

/// Parses the two fields into an absolute range, refusing an empty or inverted one.
pub fn parse_absolute(from: &str, to: &str, zone: TimeZoneChoice) -> Result<TimeRange, String> {
    let from = zone.parse(from)?;
    let to = zone.parse(to)?;
    if to <= from {
        return Err("“To” must be after “From”".into());
    }
    Ok(TimeRange::Absolute { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverted_absolute_range_is_refused() {
        let z = TimeZoneChoice::Utc;
        assert!(parse_absolute("2026-01-02 00:00", "2026-01-01 00:00", z).is_err());
        assert!(parse_absolute("2026-01-01 00:00", "2026-01-02 00:00", z).is_ok());
    }
}
