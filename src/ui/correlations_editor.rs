//! The editor of the workspace's correlation rules, in the sidebar: which metric labels name
//! a log stream, the trace-id pattern in log lines, and the span → logs and → metrics query
//! templates. The defaults serve OpenTelemetry data; "Reset to defaults" brings them back.

use crate::workspace::{Correlations, LabelMapping};
use egui::RichText;

/// Draws the editor; true when a rule changed.
pub fn correlations_ui(ui: &mut egui::Ui, rules: &mut Correlations) -> bool {
    let mut changed = false;
    egui::CollapsingHeader::new("Correlations")
        .id_salt("correlations")
        .show(ui, |ui| {
            ui.label(
                RichText::new(
                    "How a chart finds its logs and traces, and a span its logs and metrics.",
                )
                .small()
                .weak(),
            );
            ui.label(RichText::new("Metric label → log label").strong());
            let mut remove = None;
            for (i, mapping) in rules.label_map.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    let metric = ui.label(RichText::new(format!("{}.", i + 1)).small());
                    changed |= ui
                        .add(egui::TextEdit::singleline(&mut mapping.metric).desired_width(80.0))
                        .labelled_by(metric.id)
                        .changed();
                    let arrow = ui.label("to");
                    changed |= ui
                        .add(egui::TextEdit::singleline(&mut mapping.logs).desired_width(80.0))
                        .labelled_by(arrow.id)
                        .changed();
                    if ui
                        .small_button("x")
                        .on_hover_text("Remove this mapping")
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
            }
            if let Some(i) = remove {
                rules.label_map.remove(i);
                changed = true;
            }
            if ui.small_button("Add mapping").clicked() {
                rules.label_map.push(LabelMapping::new("", "service_name"));
                changed = true;
            }
            changed |= template_ui(
                ui,
                "Trace id in log lines (regex)",
                &mut rules.trace_id_pattern,
            );
            changed |= template_ui(ui, "Span logs (LogQL)", &mut rules.span_logs);
            changed |= template_ui(ui, "Service errors (LogQL)", &mut rules.service_errors);
            for (i, query) in rules.span_metrics.iter_mut().enumerate() {
                changed |= template_ui(ui, &format!("Service metrics {} (PromQL)", i + 1), query);
            }
            ui.label(
                RichText::new("${trace_id}, ${span_id} and ${service} are filled in.")
                    .small()
                    .weak(),
            );
            for problem in rules.problems() {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
            if ui.button("Reset to defaults").clicked() {
                *rules = Correlations::default();
                changed = true;
            }
        });
    changed
}

fn template_ui(ui: &mut egui::Ui, name: &str, text: &mut String) -> bool {
    let label = ui.label(RichText::new(name).small());
    ui.add(
        egui::TextEdit::singleline(text)
            .code_editor()
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id)
    .changed()
}
