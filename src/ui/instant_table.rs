//! Instant-query results as a sortable table: one row per series with its value.

use super::units::format_value;
use crate::model::ChartData;
use crate::workspace::Unit;
use egui::RichText;
use egui_extras::{Column, TableBuilder};

const ROW_HEIGHT: f32 = 18.0;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Series,
    Value,
}

/// Sort state, kept by the caller between frames.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableSort {
    pub by: SortBy,
    pub descending: bool,
}

/// Row order for `sort`: by name, or by value with NaN last either way.
pub fn sorted_rows(data: &ChartData, sort: TableSort) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..data.series.len()).collect();
    match sort.by {
        SortBy::Series => rows.sort_by(|&a, &b| data.series[a].name.cmp(&data.series[b].name)),
        SortBy::Value => rows.sort_by(|&a, &b| {
            let (x, y) = (data.series[a].stats.last, data.series[b].stats.last);
            match (x.is_nan(), y.is_nan()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ if sort.descending => y.total_cmp(&x),
                _ => x.total_cmp(&y),
            }
        }),
    }
    if sort.descending && sort.by == SortBy::Series {
        rows.reverse();
    }
    rows
}

pub fn instant_table_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    data: &ChartData,
    unit: Unit,
    sort: &mut TableSort,
) {
    let rows = sorted_rows(data, *sort);
    ui.push_id(id_salt, |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(true)
            .auto_shrink([false, true])
            .column(Column::remainder().at_least(160.0).clip(true))
            .column(Column::auto().at_least(100.0))
            .header(ROW_HEIGHT, |mut header| {
                for (title, by) in [("Series", SortBy::Series), ("Value", SortBy::Value)] {
                    header.col(|ui| {
                        let arrow = match (sort.by == by, sort.descending) {
                            (true, false) => " (ascending)",
                            (true, true) => " (descending)",
                            _ => "",
                        };
                        if ui
                            .button(RichText::new(format!("{title}{arrow}")).small().strong())
                            .on_hover_text("Sort")
                            .clicked()
                        {
                            sort.descending = sort.by == by && !sort.descending;
                            sort.by = by;
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                    let series = &data.series[rows[row.index()]];
                    row.col(|ui| {
                        ui.label(RichText::new(&series.name).small().monospace());
                    });
                    row.col(|ui| {
                        ui.label(
                            RichText::new(format_value(series.stats.last, unit))
                                .small()
                                .monospace(),
                        );
                    });
                });
            });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartSeries, Labels, SeriesStats};

    #[test]
    fn rows_sort_by_value_with_nan_last() {
        let data = ChartData {
            series: [("b", 2.0), ("a", f64::NAN), ("c", 1.0)]
                .into_iter()
                .map(|(name, last)| ChartSeries {
                    query: 0,
                    name: name.into(),
                    labels: Labels::default(),
                    timestamps: vec![0.0],
                    values: vec![last],
                    step: 1.0,
                    stats: SeriesStats {
                        last,
                        ..SeriesStats::default()
                    },
                })
                .collect(),
            ..ChartData::default()
        };
        let by = |by, descending| sorted_rows(&data, TableSort { by, descending });
        assert_eq!(by(SortBy::Series, false), [1, 0, 2]);
        assert_eq!(by(SortBy::Series, true), [2, 0, 1]);
        assert_eq!(by(SortBy::Value, false), [2, 0, 1]);
        assert_eq!(by(SortBy::Value, true), [0, 2, 1]);
    }
}
