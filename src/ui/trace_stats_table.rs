//! The statistics table of the open trace: per service and operation, count, total, self,
//! average and max time and errors; a click on a column header sorts by it (again: reverses).

use super::traces_panel::format_duration_ns;
use crate::analysis::{AnalysedTrace, StatsColumn, sort_stats};

const COLUMNS: [(StatsColumn, &str); 8] = [
    (StatsColumn::Service, "Service"),
    (StatsColumn::Operation, "Operation"),
    (StatsColumn::Count, "Count"),
    (StatsColumn::Total, "Total"),
    (StatsColumn::SelfTime, "Self"),
    (StatsColumn::Average, "Average"),
    (StatsColumn::Max, "Max"),
    (StatsColumn::Errors, "Errors"),
];

/// The sort the user chose; kept in egui's memory.
#[derive(Clone, Copy, Debug)]
struct Sort {
    column: StatsColumn,
    descending: bool,
}

pub fn trace_stats_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    trace: &AnalysedTrace,
) {
    let sort_id = ui.make_persistent_id(("stats_sort", &id_salt));
    let mut sort = ui.data(|d| d.get_temp::<Sort>(sort_id)).unwrap_or(Sort {
        column: StatsColumn::Total,
        descending: true,
    });
    // Rows are per distinct operation (tens to hundreds): sorting a copy per frame is cheap.
    let mut rows = trace.stats.clone();
    sort_stats(&mut rows, sort.column, sort.descending);
    egui::ScrollArea::both()
        .id_salt(("stats_scroll", &id_salt))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new(("stats_grid", &id_salt))
                .striped(true)
                .num_columns(COLUMNS.len())
                .show(ui, |ui| {
                    for (column, name) in COLUMNS {
                        let active = sort.column == column;
                        let arrow = match (active, sort.descending) {
                            (false, _) => "",
                            (true, true) => " (descending)",
                            (true, false) => " (ascending)",
                        };
                        let header = ui
                            .selectable_label(active, format!("{name}{arrow}"))
                            .on_hover_text(format!("Sort by {name}"));
                        if header.clicked() {
                            sort = Sort {
                                column,
                                // Text sorts A→Z first, numbers largest first.
                                descending: if active {
                                    !sort.descending
                                } else {
                                    !matches!(column, StatsColumn::Service | StatsColumn::Operation)
                                },
                            };
                        }
                    }
                    ui.end_row();
                    for row in &rows {
                        ui.label(&row.service);
                        ui.label(&row.operation);
                        ui.label(row.count.to_string());
                        ui.label(format_duration_ns(row.total_ns));
                        ui.label(format_duration_ns(row.self_ns));
                        ui.label(format_duration_ns(row.average_ns()));
                        ui.label(format_duration_ns(row.max_ns));
                        ui.label(row.error_count.to_string());
                        ui.end_row();
                    }
                });
        });
    ui.data_mut(|d| d.insert_temp(sort_id, sort));
}
