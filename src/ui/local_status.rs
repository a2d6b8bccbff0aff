//! The sidebar's view of the embedded OTLP receiver and local store: where it listens, what
//! it received, rejected and evicted per signal, and memory used against the budget.

use super::action::Action;
use crate::workspace::LocalSettings;
use egui::{Color32, RichText};

/// One signal's counts as the sidebar shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignalLine {
    pub name: &'static str,
    pub received: u64,
    pub rejected: u64,
    pub evicted: u64,
    pub stored: u64,
}

/// Everything the sidebar shows about the local services, read once per frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LocalStatus {
    /// `("OTLP/HTTP", Ok("127.0.0.1:4318"))` or the bind error.
    pub listeners: Vec<(&'static str, Result<String, String>)>,
    pub signals: Vec<SignalLine>,
    pub malformed_requests: u64,
    pub refused_over_budget: u64,
    pub bytes: usize,
    pub budget_bytes: usize,
    /// Demo workload: requests sent, failed, and whether its incident is on.
    pub demo: Option<(u64, u64, bool)>,
    pub persist_problems: Option<String>,
}

fn count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=9_999_999 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// The receiver's saved settings, edited in place; "Apply" restarts the receiver and demo.
pub fn local_settings_ui(ui: &mut egui::Ui, settings: &mut LocalSettings) -> Vec<Action> {
    let mut actions = Vec::new();
    egui::CollapsingHeader::new("Receiver settings")
        .id_salt("local_settings")
        .show(ui, |ui| {
            let l = ui.label("OTLP/HTTP listen address");
            ui.text_edit_singleline(&mut settings.otlp_http_listen)
                .labelled_by(l.id);
            let l = ui.label("OTLP/gRPC listen address");
            ui.text_edit_singleline(&mut settings.otlp_grpc_listen)
                .labelled_by(l.id);
            ui.checkbox(&mut settings.demo_workload, "Run the demo shop");
            let l = ui.label("Store budget (MiB, next start)");
            ui.add(egui::DragValue::new(&mut settings.store_budget_mib).range(16..=65536))
                .labelled_by(l.id);
            let exposed = [&settings.otlp_http_listen, &settings.otlp_grpc_listen]
                .iter()
                .any(|a| {
                    !(a.starts_with("127.") || a.starts_with("[::1]") || a.starts_with("localhost"))
                });
            if exposed {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    RichText::new("Warning: not loopback; other machines can send data here.")
                        .small(),
                );
            }
            if ui.button("Apply and restart receiver").clicked() {
                actions.push(Action::RestartLocal);
            }
        });
    actions
}

pub fn local_status_ui(ui: &mut egui::Ui, status: &LocalStatus) {
    ui.add_space(8.0);
    ui.strong("Local OTLP receiver");
    for (name, state) in &status.listeners {
        match state {
            Ok(addr) => ui.label(RichText::new(format!("{name} on {addr}")).small()),
            Err(e) => ui.colored_label(
                Color32::from_rgb(0xf2, 0x49, 0x5c),
                RichText::new(format!("{name}: {e}")).small(),
            ),
        };
    }
    egui::Grid::new("ingest_counters")
        .num_columns(5)
        .spacing([8.0, 2.0])
        .show(ui, |ui| {
            for h in ["", "recv", "rej", "evict", "kept"] {
                ui.label(RichText::new(h).small().weak());
            }
            ui.end_row();
            for s in &status.signals {
                ui.label(RichText::new(s.name).small());
                ui.label(RichText::new(count(s.received)).small());
                let rej = RichText::new(count(s.rejected)).small();
                ui.label(if s.rejected > 0 {
                    rej.color(Color32::from_rgb(0xf2, 0xcc, 0x0c))
                } else {
                    rej
                });
                ui.label(RichText::new(count(s.evicted)).small());
                ui.label(RichText::new(count(s.stored)).small());
                ui.end_row();
            }
        });
    if status.malformed_requests > 0 {
        ui.label(
            RichText::new(format!(
                "{} malformed requests refused",
                status.malformed_requests
            ))
            .small(),
        );
    }
    if status.refused_over_budget > 0 {
        ui.label(
            RichText::new(format!(
                "{} requests refused: memory budget full",
                status.refused_over_budget
            ))
            .small(),
        );
    }
    let used = status.bytes as f32 / status.budget_bytes.max(1) as f32;
    ui.add(
        egui::ProgressBar::new(used.min(1.0))
            .desired_width(170.0)
            .text(format!(
                "{} of {} MiB",
                status.bytes / (1024 * 1024),
                status.budget_bytes / (1024 * 1024)
            )),
    )
    .on_hover_text("Memory used by the local store; oldest data is evicted past the budget");
    if let Some(problem) = &status.persist_problems {
        ui.colored_label(
            Color32::from_rgb(0xf2, 0xcc, 0x0c),
            RichText::new(problem).small(),
        );
    }
    if let Some((sent, failed, incident)) = status.demo {
        let text = format!(
            "Demo workload: {} batches sent, {} failed",
            count(sent),
            count(failed)
        );
        ui.label(RichText::new(text).small());
        if incident {
            ui.colored_label(
                Color32::from_rgb(0xf2, 0x49, 0x5c),
                RichText::new("Demo incident: payment is degraded").small(),
            );
        }
    }
}
