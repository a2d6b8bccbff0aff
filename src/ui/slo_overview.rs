//! Every SLO of the workspace in one table, sortable by budget remaining, burn rate or name,
//! colored by alert state; a click on a name brings its panel into view.

use super::action::Action;
use super::slo_panel::{burn_text, exhaustion_text, percent, state_color, state_name};
use crate::slo::evaluate::SloStatus;
use crate::workspace::{PanelId, SloOverviewPanel, SloSort};
use egui::RichText;
use egui_extras::{Column, TableBuilder};

/// One SLO panel as the overview sees it.
pub struct SloRow<'a> {
    pub panel: PanelId,
    pub name: &'a str,
    pub service: &'a str,
    pub objective: f64,
    pub status: Option<&'a SloStatus>,
    pub error: Option<String>,
}

/// The burn rate the overview ranks by: the shortest long window of the preset (1 h).
fn ranking_burn(status: Option<&SloStatus>) -> Option<f64> {
    let status = status?;
    let window = status
        .preset
        .rows
        .iter()
        .map(|r| r.long_secs)
        .fold(f64::INFINITY, f64::min);
    status.burn_rate(window)
}

/// Row order for the overview's sort; rows without data go last either way.
pub fn sorted(rows: &[SloRow<'_>], sort: SloSort, descending: bool) -> Vec<usize> {
    let key = |r: &SloRow<'_>| -> Option<f64> {
        match sort {
            SloSort::BudgetRemaining => r.status.and_then(|s| s.budget_remaining),
            SloSort::BurnRate => ranking_burn(r.status),
            SloSort::Name => None,
        }
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        use std::cmp::Ordering;
        if sort == SloSort::Name {
            let o = rows[a].name.cmp(rows[b].name);
            return if descending { o.reverse() } else { o };
        }
        match (key(&rows[a]), key(&rows[b])) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) if descending => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
        }
    });
    order
}

pub fn slo_overview_ui(
    ui: &mut egui::Ui,
    id: PanelId,
    title: &str,
    spec: &mut SloOverviewPanel,
    rows: &[SloRow<'_>],
) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        ui.strong(title);
        ui.label(RichText::new(format!("{} SLOs", rows.len())).weak());
        if ui.button("Evaluate all").clicked() {
            actions.extend(rows.iter().map(|r| Action::RunQuery(r.panel)));
        }
        ui.menu_button("Panel menu", |ui| {
            if ui.button("Remove panel").clicked() {
                actions.push(Action::RemovePanel(id));
                ui.close();
            }
        });
    });
    if rows.is_empty() {
        ui.label(
            "No SLO panels yet: add one with Add panel → SLO panel, or import Sloth/OpenSLO YAML.",
        );
        return actions;
    }
    let order = sorted(rows, spec.sort, spec.descending);
    ui.push_id(("slo_overview", id), |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .auto_shrink([false, true])
            .column(Column::initial(180.0).clip(true))
            .columns(Column::auto().at_least(80.0), 6)
            .header(20.0, |mut h| {
                let mut sortable =
                    |h: &mut egui_extras::TableRow<'_, '_>, title: &str, by: SloSort| {
                        h.col(|ui| {
                            let mark = match (spec.sort == by, spec.descending) {
                                (true, false) => " (ascending)",
                                (true, true) => " (descending)",
                                _ => "",
                            };
                            if ui
                                .button(RichText::new(format!("{title}{mark}")).small().strong())
                                .clicked()
                            {
                                spec.descending = spec.sort == by && !spec.descending;
                                spec.sort = by;
                            }
                        });
                    };
                sortable(&mut h, "SLO", SloSort::Name);
                for title in ["Service", "Objective", "State"] {
                    h.col(|ui| {
                        ui.label(RichText::new(title).small().strong());
                    });
                }
                sortable(&mut h, "Budget remaining", SloSort::BudgetRemaining);
                sortable(&mut h, "Burn (1 h)", SloSort::BurnRate);
                h.col(|ui| {
                    ui.label(RichText::new("Budget runs out").small().strong());
                });
            })
            .body(|body| {
                body.rows(20.0, order.len(), |mut row| {
                    let r = &rows[order[row.index()]];
                    row.col(|ui| {
                        if ui.link(r.name).on_hover_text("Show its panel").clicked() {
                            actions.push(Action::ScrollToPanel(r.panel));
                        }
                    });
                    row.col(|ui| {
                        ui.label(r.service);
                    });
                    row.col(|ui| {
                        ui.label(format!("{:.3} %", r.objective * 100.0));
                    });
                    row.col(|ui| match (r.status, &r.error) {
                        (Some(s), _) => {
                            ui.label(
                                RichText::new(state_name(s.state))
                                    .strong()
                                    .color(state_color(s.state)),
                            );
                        }
                        (None, Some(e)) => {
                            ui.colored_label(ui.visuals().error_fg_color, "error")
                                .on_hover_text(e);
                        }
                        (None, None) => {
                            ui.label("…");
                        }
                    });
                    row.col(|ui| {
                        ui.label(percent(r.status.and_then(|s| s.budget_remaining)));
                    });
                    row.col(|ui| {
                        ui.label(burn_text(ranking_burn(r.status)));
                    });
                    row.col(|ui| {
                        ui.label(
                            r.status
                                .map_or("…".into(), |s| exhaustion_text(s.exhaustion)),
                        );
                    });
                });
            });
    });
    actions
}
