//! The metric browser: every metric name the connection knows with its type, unit and help,
//! filtered as you type; a click inserts the name into the query at its cursor.

use crate::analysis::promql_completion::candidates::MetricInfo;
use egui::RichText;
use egui_extras::{Column, TableBuilder};

/// Rows whose name or help contain every word of `filter` (any case), in the given order.
pub fn filter_metrics<'a>(metrics: &'a [MetricInfo], filter: &str) -> Vec<&'a MetricInfo> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    metrics
        .iter()
        .filter(|m| {
            let name = m.name.to_lowercase();
            let help = m.help.to_lowercase();
            words
                .iter()
                .all(|w| name.contains(w.as_str()) || help.contains(w.as_str()))
        })
        .collect()
}

/// Draws the browser's contents; returns the metric the user picked.
pub fn metric_browser_ui(
    ui: &mut egui::Ui,
    metrics: Option<&[MetricInfo]>,
    filter: &mut String,
) -> Option<String> {
    let mut picked = None;
    ui.horizontal(|ui| {
        let l = ui.label("Search metrics");
        ui.add(
            egui::TextEdit::singleline(filter)
                .hint_text("name or help words")
                .desired_width(260.0),
        )
        .labelled_by(l.id);
    });
    let Some(metrics) = metrics else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading metric names…");
        });
        return None;
    };
    let rows = filter_metrics(metrics, filter);
    ui.label(
        RichText::new(format!("{} of {} metrics", rows.len(), metrics.len()))
            .small()
            .weak(),
    );
    TableBuilder::new(ui)
        .striped(true)
        .vscroll(true)
        .max_scroll_height(420.0)
        .column(Column::initial(300.0).clip(true))
        .column(Column::initial(80.0))
        .column(Column::initial(60.0))
        .column(Column::remainder().clip(true))
        .header(18.0, |mut h| {
            for t in ["Metric", "Type", "Unit", "Help"] {
                h.col(|ui| {
                    ui.label(RichText::new(t).small().strong());
                });
            }
        })
        .body(|body| {
            body.rows(18.0, rows.len(), |mut row| {
                let m = rows[row.index()];
                row.col(|ui| {
                    if ui
                        .link(RichText::new(&m.name).monospace())
                        .on_hover_text("Insert into the query")
                        .clicked()
                    {
                        picked = Some(m.name.clone());
                    }
                });
                row.col(|ui| {
                    ui.label(&m.kind);
                });
                row.col(|ui| {
                    ui.label(&m.unit);
                });
                row.col(|ui| {
                    ui.label(RichText::new(&m.help).small())
                        .on_hover_text(&m.help);
                });
            });
        });
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &str, help: &str) -> MetricInfo {
        MetricInfo {
            name: name.into(),
            help: help.into(),
            ..MetricInfo::default()
        }
    }

    #[test]
    fn every_word_must_match_the_name_or_the_help() {
        let all = [
            metric("http_requests_total", "Requests served"),
            metric("go_goroutines", "Number of goroutines"),
            metric("http_request_duration_seconds", "Latency of requests"),
        ];
        let names = |f: &str| -> Vec<&str> {
            filter_metrics(&all, f)
                .iter()
                .map(|m| m.name.as_str())
                .collect()
        };
        assert_eq!(
            names(""),
            [
                "http_requests_total",
                "go_goroutines",
                "http_request_duration_seconds"
            ]
        );
        assert_eq!(names("HTTP latency"), ["http_request_duration_seconds"]);
        assert_eq!(names("goroutines"), ["go_goroutines"]);
        assert!(names("nothing").is_empty());
    }
}
