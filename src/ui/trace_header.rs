//! The open trace's summary line (Jaeger UI's trace header): its id, root service and
//! operation, start, duration, services, depth, spans and errors.

use super::time_axis::format_time;
use super::traces_panel::format_duration_ns;
use crate::analysis::AnalysedTrace;
use crate::model::TimeZoneChoice;

/// `Trace 4bf92f… · frontend: GET /checkout · started 2026-11-24 07:53:09.123 · 100.00 ms · 4 services ·
/// depth 2 · 4 spans · 1 error`; the root is the first span of the tree.
pub fn trace_summary(trace: &AnalysedTrace, zone: TimeZoneChoice) -> String {
    let root = trace
        .tree
        .roots()
        .first()
        .map(|&r| &trace.trace.spans[r as usize]);
    let mut parts = Vec::with_capacity(8);
    parts.push(format!("Trace {}", trace.trace.trace_id));
    if let Some(root) = root {
        parts.push(format!("{}: {}", root.service, root.name));
    }
    parts.push(format!(
        "started {}",
        format_time(trace.start_ns as f64 / 1e9, zone, "%Y-%m-%d %H:%M:%S%.3f")
    ));
    parts.push(format_duration_ns(trace.duration_ns()));
    parts.push(plural(
        trace.operations.table.service_count() as u64,
        "service",
    ));
    parts.push(format!("depth {}", trace.levels));
    parts.push(plural(trace.trace.spans.len() as u64, "span"));
    parts.push(plural(trace.error_count, "error"));
    parts.join(" · ")
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The summary as one label, its error count in the error colour when there are errors.
pub fn trace_header_ui(ui: &mut egui::Ui, trace: &AnalysedTrace, zone: TimeZoneChoice) {
    let text = trace_summary(trace, zone);
    let errors = plural(trace.error_count, "error");
    let (head, tail) = text.split_at(text.len() - errors.len());
    let font = egui::TextStyle::Body.resolve(ui.style());
    let strong = ui.visuals().strong_text_color();
    let tail_color = if trace.error_count > 0 {
        ui.visuals().error_fg_color
    } else {
        strong
    };
    let mut job = egui::text::LayoutJob::default();
    for (part, color) in [(head, strong), (tail, tail_color)] {
        job.append(
            part,
            0.0,
            egui::TextFormat {
                font_id: font.clone(),
                color,
                ..Default::default()
            },
        );
    }
    ui.label(job);
}
