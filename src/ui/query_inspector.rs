//! The query inspector: what was asked (URL and parameters) and what it cost (status, bytes,
//! network, server and decode time, samples read, series and points), per query.

use super::metrics_panel::format_bytes;
use crate::sources::prometheus::QueryInspection;
use egui::RichText;

pub fn query_inspector_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    i: &QueryInspection,
) {
    egui::Grid::new(id_salt)
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let mut row = |name: &str, value: String| {
                ui.label(RichText::new(name).small().strong());
                ui.label(RichText::new(value).small().monospace());
                ui.end_row();
            };
            row("Request", format!("{} {}", i.method, i.url));
            for (k, v) in &i.params {
                row(&format!("  {k}"), v.clone());
            }
            row(
                "HTTP status",
                i.http_status
                    .map_or("no response".into(), |s| s.to_string()),
            );
            row("Response size", format_bytes(i.response_bytes));
            row("Network time", format!("{:.1} ms", ms(i.network_time)));
            row(
                "Server time",
                i.server_time
                    .map_or("not reported".into(), |t| format!("{:.1} ms", ms(t))),
            );
            if let Some(samples) = i.samples_read {
                row("Samples read", samples.to_string());
            }
            row("Decode time", format!("{:.1} ms", ms(i.decode_time)));
            row("Series", i.series.to_string());
            row("Points", i.points.to_string());
            for w in &i.warnings {
                row("Warning", w.clone());
            }
            for note in &i.infos {
                row("Info", note.clone());
            }
            if let Some(e) = &i.error {
                row("Error", e.clone());
            }
        });
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
