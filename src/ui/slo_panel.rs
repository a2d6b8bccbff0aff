//! An SLO panel: the objective's error budget (negative when overspent), the SLI, burn rate
//! and budget burn-down over the window, and the multi-window multi-burn-rate alert table
//! with each row's state and time to exhaustion. The definition is edited in place.

use super::action::Action;
use super::panel_menu::panel_menu;
use super::time_axis::{format_time, tick_label, time_grid, utc_offset};
use crate::analysis::slo::{AlertState, Exhaustion, Severity};
use crate::model::time_range::format_duration;
use crate::model::{Series, TimeZoneChoice};
use crate::slo::definition::{Sli, SloWindow};
use crate::slo::evaluate::SloStatus;
use crate::sources::SourceError;
use crate::ui::connection_picker::connection_picker;
use crate::workspace::correlation::SERVICE_LABEL;
use crate::workspace::{Connection, PanelId, SloPanel, SloPreset};
use crate::workspace::{Link, LinkTarget, LogsFocus, Signal};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Line, Plot, PlotPoints};

pub struct SloPanelView<'a> {
    pub id: PanelId,
    pub title: &'a str,
    pub spec: &'a mut SloPanel,
    pub connections: &'a [Connection],
    pub loading: bool,
    pub last: Option<Result<&'a SloStatus, &'a SourceError>>,
    pub zone: TimeZoneChoice,
}

pub fn state_color(state: AlertState) -> Color32 {
    match state {
        AlertState::Page => Color32::from_rgb(0xf2, 0x49, 0x5c),
        AlertState::Ticket => Color32::from_rgb(0xff, 0x98, 0x30),
        AlertState::Ok => Color32::from_rgb(0x73, 0xbf, 0x69),
        AlertState::NoData => Color32::GRAY,
    }
}

pub fn state_name(state: AlertState) -> &'static str {
    match state {
        AlertState::Page => "PAGE",
        AlertState::Ticket => "TICKET",
        AlertState::Ok => "OK",
        AlertState::NoData => "NO DATA",
    }
}

/// `Some(0.123)` → `12.30 %`; `None` → `no data`.
pub fn percent(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{:.2} %", v * 100.0),
        Some(v) if v > 0.0 => "+∞ %".into(),
        Some(_) => "-∞ %".into(),
        None => "no data".into(),
    }
}

pub fn burn_text(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.2}×"),
        Some(_) => "∞".into(),
        None => "no data".into(),
    }
}

pub fn exhaustion_text(e: Exhaustion) -> String {
    match e {
        Exhaustion::NoData => "no data".into(),
        Exhaustion::NotBurning => "not burning".into(),
        Exhaustion::AlreadyExhausted => "budget exhausted".into(),
        Exhaustion::In(secs) => format!("in {}", format_duration(secs.round() as i64)),
    }
}

pub fn slo_panel_ui(ui: &mut egui::Ui, view: SloPanelView<'_>) -> Vec<Action> {
    let SloPanelView {
        id,
        title,
        spec,
        connections,
        loading,
        last,
        zone,
    } = view;
    let mut actions = Vec::new();
    let status = match last {
        Some(Ok(s)) => Some(s),
        _ => None,
    };
    ui.horizontal_wrapped(|ui| {
        ui.strong(title);
        if let Some(s) = status {
            ui.label(
                RichText::new(state_name(s.state))
                    .strong()
                    .color(state_color(s.state)),
            );
        }
        ui.label(format!(
            "{}: {:.3} % over {} d",
            spec.definition.service,
            spec.definition.objective * 100.0,
            spec.definition.window.days
        ));
        if connection_picker(
            ui,
            ("slo_connection", id),
            connections,
            Signal::Metrics,
            &mut spec.connection,
        ) {
            actions.push(Action::RunQuery(id));
        }
        if ui.button("Evaluate").clicked() {
            actions.push(Action::RunQuery(id));
        }
        if loading {
            ui.spinner();
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelQuery(id));
            }
        }
        if ui.button("Error rate chart").clicked() {
            actions.push(Action::OpenSloErrorChart(id));
        }
        if ui.button("Error logs").clicked() {
            actions.push(Action::Follow(Link::new(LinkTarget::Logs(LogsFocus {
                labels: vec![(SERVICE_LABEL.to_owned(), spec.definition.service.clone())],
                errors_only: true,
                ..LogsFocus::default()
            }))));
        }
        ui.menu_button("Edit SLO", |ui| {
            if definition_editor_ui(ui, id, spec) {
                actions.push(Action::RunQuery(id));
            }
        });
        panel_menu(ui, id, &mut actions);
    });
    match last {
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            return actions;
        }
        None => {
            ui.label("Not evaluated yet.");
            return actions;
        }
        Some(Ok(_)) => {}
    }
    let Some(status) = status else {
        return actions;
    };
    ui.horizontal_wrapped(|ui| {
        let remaining = status.budget_remaining;
        let color = match remaining {
            Some(r) if r < 0.0 => state_color(AlertState::Page),
            Some(r) if r < 0.25 => state_color(AlertState::Ticket),
            Some(_) => state_color(AlertState::Ok),
            None => Color32::GRAY,
        };
        ui.label(
            RichText::new(format!("Error budget remaining: {}", percent(remaining)))
                .size(18.0)
                .color(color),
        );
        ui.separator();
        ui.label(format!(
            "Error ratio over {} d: {}",
            spec.definition.window.days,
            percent(status.error_ratio)
        ));
        ui.separator();
        ui.label(format!(
            "Budget runs out: {}",
            exhaustion_text(status.exhaustion)
        ));
        ui.separator();
        ui.label(
            RichText::new(format!(
                "at {}",
                format_time(status.at, zone, "%Y-%m-%d %H:%M:%S")
            ))
            .weak(),
        );
        if let Some(source) = status.recorded {
            ui.label(RichText::new(format!("using {source:?} recording rules")).weak());
        }
    });
    for note in &status.notes {
        ui.label(RichText::new(note).small().weak());
    }
    let chart_height = ((ui.available_height() - 150.0) / 1.0).clamp(90.0, 220.0);
    ui.columns(3, |cols| {
        small_chart(
            &mut cols[0],
            (id, "sli"),
            "SLI (good ratio)",
            &status.sli,
            zone,
            chart_height,
        );
        small_chart(
            &mut cols[1],
            (id, "burn"),
            "Burn rate",
            &status.burn,
            zone,
            chart_height,
        );
        small_chart(
            &mut cols[2],
            (id, "budget"),
            "Error budget remaining",
            &status.budget,
            zone,
            chart_height,
        );
    });
    alert_table_ui(ui, id, status);
    actions
}

fn small_chart(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    title: &str,
    series: &Series,
    zone: TimeZoneChoice,
    height: f32,
) {
    ui.label(RichText::new(title).small().strong());
    let offset = utc_offset(zone, series.timestamps.last().copied().unwrap_or(0.0));
    let points: PlotPoints<'_> = series
        .timestamps
        .iter()
        .zip(&series.values)
        .filter(|(_, v)| v.is_finite())
        .map(|(&t, &v)| [t, v])
        .collect();
    Plot::new(("slo_chart", id_salt))
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .link_cursor(egui::Id::unique("signalscope-time-cursor"), [true, false])
        .x_grid_spacer(move |input| super::time_axis::time_grid(&input, offset))
        .x_axis_formatter(move |mark, range| {
            tick_label(mark.value, range.end() - range.start(), zone)
        })
        .show(ui, |plot_ui| {
            plot_ui.line(
                Line::new(title, points)
                    .color(Color32::from_rgb(0x8a, 0xb8, 0xff))
                    .width(1.5),
            );
        });
    let _ = time_grid; // the grid spacer above is the shared time axis
}

fn alert_table_ui(ui: &mut egui::Ui, id: PanelId, status: &SloStatus) {
    ui.label(
        RichText::new(format!(
            "Multi-window burn-rate alerts: {}",
            status.preset.name
        ))
        .small()
        .strong(),
    );
    ui.push_id(("slo_alerts", id), |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .auto_shrink([false, true])
            .columns(Column::auto().at_least(70.0), 7)
            .column(Column::remainder())
            .header(18.0, |mut h| {
                for title in [
                    "Long window",
                    "Short window",
                    "Factor",
                    "Severity",
                    "Long burn",
                    "Short burn",
                    "State",
                    "Budget runs out",
                ] {
                    h.col(|ui| {
                        ui.label(RichText::new(title).small().strong());
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, status.alerts.len(), |mut row| {
                    let a = &status.alerts[row.index()];
                    let w = &a.window;
                    let cells = [
                        format_duration(w.long_secs as i64),
                        format_duration(w.short_secs as i64),
                        format!("{}×", w.factor),
                        match w.severity {
                            Severity::Page => "page".to_owned(),
                            Severity::Ticket => "ticket".to_owned(),
                        },
                        burn_text(a.long_burn),
                        burn_text(a.short_burn),
                    ];
                    for c in cells {
                        row.col(|ui| {
                            ui.label(RichText::new(c).monospace());
                        });
                    }
                    row.col(|ui| {
                        ui.label(
                            RichText::new(state_name(a.state))
                                .strong()
                                .color(state_color(a.state)),
                        );
                    });
                    row.col(|ui| {
                        ui.label(exhaustion_text(a.exhaustion));
                    });
                });
            });
    });
}

/// The definition's fields; returns true when the user asks to evaluate the change.
fn definition_editor_ui(ui: &mut egui::Ui, id: PanelId, spec: &mut SloPanel) -> bool {
    let def = &mut spec.definition;
    let mut apply = false;
    egui::Grid::new(("slo_editor", id))
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label("Name");
            ui.text_edit_singleline(&mut def.name).labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Service");
            ui.text_edit_singleline(&mut def.service).labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Objective (%)");
            let mut percent = def.objective * 100.0;
            if ui
                .add(
                    egui::DragValue::new(&mut percent)
                        .range(0.001..=100.0)
                        .speed(0.01)
                        .max_decimals(4),
                )
                .labelled_by(l.id)
                .changed()
            {
                def.objective = percent / 100.0;
            }
            ui.end_row();
            ui.label("Window");
            ui.horizontal(|ui| {
                ui.radio_value(&mut def.window, SloWindow::DAYS_30, "30 days");
                ui.radio_value(&mut def.window, SloWindow::DAYS_28, "28 days");
            });
            ui.end_row();
            ui.label("Alert preset");
            egui::ComboBox::new(("slo_preset", id), "")
                .selected_text(spec.preset.name())
                .show_ui(ui, |ui| {
                    for p in SloPreset::ALL {
                        ui.selectable_value(&mut spec.preset, *p, p.name());
                    }
                });
            ui.end_row();
            match &mut def.sli {
                Sli::BadOverTotal { bad, total } => {
                    query_field(ui, "Bad events query", bad);
                    query_field(ui, "Total events query", total);
                }
                Sli::GoodOverTotal { good, total } => {
                    query_field(ui, "Good events query", good);
                    query_field(ui, "Total events query", total);
                }
                Sli::ErrorRatio { query } => query_field(ui, "Error ratio query", query),
                Sli::Latency {
                    bucket_metric,
                    threshold_le,
                    selector,
                } => {
                    query_field(ui, "Bucket metric", bucket_metric);
                    query_field(ui, "Threshold (le)", threshold_le);
                    query_field(ui, "Selector", selector);
                }
            }
        });
    ui.label(
        RichText::new("Queries use {{.window}} where the window goes, as Sloth does.")
            .small()
            .weak(),
    );
    if ui.button("Apply and evaluate").clicked() {
        apply = true;
        ui.close();
    }
    apply
}

fn query_field(ui: &mut egui::Ui, label: &str, text: &mut String) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::multiline(text)
            .code_editor()
            .desired_rows(1)
            .desired_width(420.0),
    )
    .labelled_by(l.id);
    ui.end_row();
}
