//! The legend of a chart as a table: each series with its color, min, max, mean and last.
//! A click isolates a series; Ctrl+click shows or hides it alone.

use super::chart::series_color;
use super::units::format_value;
use crate::model::ChartData;
use crate::workspace::Unit;
use egui::{Modifiers, RichText};
use egui_extras::{Column, TableBuilder};
use std::collections::HashSet;

const ROW_HEIGHT: f32 = 18.0;

/// Where a series' link in the legend leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesLink {
    Logs,
    Traces,
}

/// Draws the legend; `hidden` holds the names of series the user hid. `linked` says which
/// series have logs and traces to link to; their rows get "logs" and "traces" links, named
/// for `chart_title` so each is findable by its accessible name. Returns the link clicked.
#[allow(clippy::too_many_arguments)] // A table of series, each with its links.
pub fn legend_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    chart_title: &str,
    data: &ChartData,
    unit: Unit,
    hidden: &mut HashSet<String>,
    linked: &dyn Fn(usize) -> bool,
    max_height: f32,
) -> Option<(usize, SeriesLink)> {
    let mut clicked: Option<(usize, Modifiers)> = None;
    let mut link: Option<(usize, SeriesLink)> = None;
    ui.push_id(id_salt, |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(true)
            .max_scroll_height(max_height)
            .auto_shrink([false, true])
            .column(Column::remainder().at_least(120.0).clip(true))
            .columns(Column::auto().at_least(64.0), 4)
            .header(ROW_HEIGHT, |mut header| {
                for title in ["Series", "Min", "Max", "Mean", "Last"] {
                    header.col(|ui| {
                        ui.label(RichText::new(title).small().strong());
                    });
                }
            })
            .body(|body| {
                body.rows(ROW_HEIGHT, data.series.len(), |mut row| {
                    let i = row.index();
                    let series = &data.series[i];
                    let shown = !hidden.contains(&series.name);
                    row.col(|ui| {
                        ui.horizontal(|ui| {
                            let color = if shown {
                                series_color(i)
                            } else {
                                ui.visuals().weak_text_color()
                            };
                            let (rect, _) =
                                ui.allocate_exact_size(egui::vec2(12.0, 4.0), egui::Sense::hover());
                            ui.painter().rect_filled(rect, 1.0, color);
                            let mut text = RichText::new(&series.name).small();
                            if !shown {
                                text = text.weak().strikethrough();
                            }
                            let response = ui
                                .add(
                                    egui::Label::new(text)
                                        .sense(egui::Sense::click())
                                        .truncate(),
                                )
                                .on_hover_text(
                                    "Click to show only this series, Ctrl+click to show or hide it",
                                );
                            if response.clicked() {
                                clicked = Some((i, ui.input(|input| input.modifiers)));
                            }
                            if linked(i) {
                                for (kind, text) in
                                    [(SeriesLink::Logs, "Logs"), (SeriesLink::Traces, "Traces")]
                                {
                                    let r = ui.add(egui::Link::new(
                                        RichText::new(text.to_lowercase()).small(),
                                    ));
                                    let name =
                                        format!("{text} for {} in {chart_title}", series.name);
                                    r.widget_info(|| {
                                        egui::WidgetInfo::labeled(egui::Role::Link, true, &name)
                                    });
                                    if r.on_hover_text(&name).clicked() {
                                        link = Some((i, kind));
                                    }
                                }
                            }
                        });
                    });
                    let s = series.stats;
                    for v in [s.min, s.max, s.mean, s.last] {
                        row.col(|ui| {
                            ui.label(RichText::new(format_value(v, unit)).small().monospace());
                        });
                    }
                });
            });
    });
    if let Some((i, modifiers)) = clicked {
        toggle(data, hidden, i, modifiers.command || modifiers.ctrl);
    }
    link
}

/// Grafana's rules: a click shows only that series (or everything again if it already was the
/// only one shown); with Ctrl it flips that series alone.
pub fn toggle(data: &ChartData, hidden: &mut HashSet<String>, index: usize, flip: bool) {
    let Some(name) = data.series.get(index).map(|s| s.name.clone()) else {
        return;
    };
    if flip {
        if !hidden.remove(&name) {
            hidden.insert(name);
        }
        return;
    }
    let others: HashSet<String> = data
        .series
        .iter()
        .map(|s| s.name.clone())
        .filter(|n| *n != name)
        .collect();
    let isolated = !hidden.contains(&name) && others.iter().all(|n| hidden.contains(n));
    hidden.clear();
    if !isolated {
        hidden.extend(others);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartSeries, Labels, SeriesStats};

    fn data(names: &[&str]) -> ChartData {
        ChartData {
            series: names
                .iter()
                .map(|n| ChartSeries {
                    query: 0,
                    name: (*n).into(),
                    labels: Labels::default(),
                    timestamps: vec![],
                    values: vec![],
                    step: 1.0,
                    stats: SeriesStats::default(),
                })
                .collect(),
            ..ChartData::default()
        }
    }

    #[test]
    fn click_isolates_and_a_second_click_restores() {
        let d = data(&["a", "b", "c"]);
        let mut hidden = HashSet::new();
        toggle(&d, &mut hidden, 1, false);
        assert_eq!(hidden, HashSet::from(["a".into(), "c".into()]));
        toggle(&d, &mut hidden, 1, false);
        assert!(hidden.is_empty());
        toggle(&d, &mut hidden, 2, true);
        assert_eq!(hidden, HashSet::from(["c".into()]));
        toggle(&d, &mut hidden, 2, true);
        assert!(hidden.is_empty());
    }
}
