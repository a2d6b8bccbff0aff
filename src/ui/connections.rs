//! The connection sidebar (with health dots) and the add/edit connection dialog.

use super::action::Action;
use crate::workspace::{Auth, Connection, ConnectionId, HeaderEntry, Secret, SourceKind};
use egui::{Color32, RichText};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the last background health check of a connection found.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Health {
    #[default]
    Unknown,
    Up,
    Down(String),
}

impl Health {
    fn color(&self) -> Color32 {
        match self {
            Self::Unknown => Color32::GRAY,
            Self::Up => Color32::from_rgb(0x73, 0xbf, 0x69),
            Self::Down(_) => Color32::from_rgb(0xf2, 0x49, 0x5c),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Unknown => "Checking…".into(),
            Self::Up => "Ready".into(),
            Self::Down(e) => format!("Down: {e}"),
        }
    }
}

pub fn sidebar_ui(
    ui: &mut egui::Ui,
    connections: &[Connection],
    health: &BTreeMap<ConnectionId, Health>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.heading("Connections");
    ui.add_space(4.0);
    if connections.is_empty() {
        ui.label(RichText::new("No connections yet.").weak());
    }
    for conn in connections {
        let h = health.get(&conn.id).cloned().unwrap_or_default();
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 4.5, h.color());
            let response = ui
                .selectable_label(false, &conn.name)
                .on_hover_text(format!(
                    "{} · {}\n{}",
                    conn.kind.name(),
                    conn.url,
                    h.describe()
                ));
            if response.clicked() {
                actions.push(Action::EditConnection(Some(conn.id)));
            }
        });
        if let Health::Down(e) = &h {
            ui.label(RichText::new(e).small().color(h.color()));
        }
    }
    ui.add_space(6.0);
    if ui.button("+ Add connection").clicked() {
        actions.push(Action::EditConnection(None));
    }
    actions
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthKind {
    None,
    Basic,
    Bearer,
}

/// The connection being edited, as text fields, until the user saves it.
#[derive(Debug)]
pub struct ConnectionDraft {
    /// The connection's id; `is_new` says whether it exists in the workspace yet.
    pub id: ConnectionId,
    pub is_new: bool,
    name: String,
    kind: SourceKind,
    url: String,
    auth: AuthKind,
    username: String,
    secret: String,
    headers: Vec<(String, String)>,
    pub ca_file: Option<PathBuf>,
    skip_tls_verify: bool,
    timeout_secs: u64,
    error: Option<String>,
}

impl ConnectionDraft {
    pub fn new(id: ConnectionId) -> Self {
        Self::edit(&Connection {
            id,
            name: "Prometheus".into(),
            url: "http://127.0.0.1:9090".into(),
            ..Connection::default()
        })
        .with_new(true)
    }

    fn with_new(mut self, is_new: bool) -> Self {
        self.is_new = is_new;
        self
    }

    pub fn edit(c: &Connection) -> Self {
        let (auth, username, secret) = match &c.auth {
            Auth::None => (AuthKind::None, String::new(), String::new()),
            Auth::Basic { username, password } => {
                (AuthKind::Basic, username.clone(), password.input_text())
            }
            Auth::Bearer { token } => (AuthKind::Bearer, String::new(), token.input_text()),
        };
        Self {
            id: c.id,
            is_new: false,
            name: c.name.clone(),
            kind: c.kind,
            url: c.url.clone(),
            auth,
            username,
            secret,
            headers: c
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value_input_text()))
                .collect(),
            ca_file: c.ca_file.clone(),
            skip_tls_verify: c.skip_tls_verify,
            timeout_secs: c.timeout_secs,
            error: None,
        }
    }

    /// The connection as typed, or why it cannot be saved.
    pub fn to_connection(&self) -> Result<Connection, String> {
        let url = self.url.trim().trim_end_matches('/').to_owned();
        // The local store has no address.
        if self.kind != SourceKind::Local {
            match url::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => return Err(format!("“{url}” is not an http:// or https:// URL")),
            }
        }
        if self.name.trim().is_empty() {
            return Err("Give the connection a name".into());
        }
        let auth = match self.auth {
            AuthKind::None => Auth::None,
            AuthKind::Basic => Auth::Basic {
                username: self.username.trim().to_owned(),
                password: Secret::from_input(&self.secret),
            },
            AuthKind::Bearer => Auth::Bearer {
                token: Secret::from_input(&self.secret),
            },
        };
        Ok(Connection {
            id: self.id,
            name: self.name.trim().to_owned(),
            kind: self.kind,
            url,
            auth,
            headers: self
                .headers
                .iter()
                .filter(|(n, _)| !n.trim().is_empty())
                .map(|(n, v)| HeaderEntry::from_input(n, v))
                .collect(),
            ca_file: self.ca_file.clone(),
            skip_tls_verify: self.skip_tls_verify,
            timeout_secs: self.timeout_secs.max(1),
        })
    }
}

/// What the dialog wants besides workspace actions.
#[derive(Debug, PartialEq)]
pub enum DialogOutcome {
    Open,
    Closed,
    /// The user pressed "Choose CA file…"; the app opens the file dialog.
    PickCaFile,
}

pub fn connection_dialog_ui(
    ctx: &egui::Context,
    draft: &mut ConnectionDraft,
    actions: &mut Vec<Action>,
) -> DialogOutcome {
    let mut outcome = DialogOutcome::Open;
    let title = if draft.is_new {
        "Add connection"
    } else {
        "Edit connection"
    };
    egui::Modal::new(egui::Id::unique("connection_dialog")).show(ctx, |ui| {
        ui.heading(title);
        egui::Grid::new("connection_form")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let l = ui.label("Name");
                ui.text_edit_singleline(&mut draft.name).labelled_by(l.id);
                ui.end_row();

                ui.label("Kind");
                let before = draft.kind;
                egui::ComboBox::from_label("Kind of source")
                    .selected_text(draft.kind.name())
                    .show_ui(ui, |ui| {
                        for kind in SourceKind::ALL {
                            ui.selectable_value(&mut draft.kind, *kind, kind.name());
                        }
                    });
                // An untouched address follows the kind to that server's usual port.
                let url = draft.url.trim();
                if draft.kind != before && (url.is_empty() || url == before.default_url()) {
                    draft.url = draft.kind.default_url().to_owned();
                }
                ui.end_row();

                if draft.kind == SourceKind::Local {
                    ui.label("Address");
                    ui.label("Embedded OTLP store (listen addresses under Receiver settings)");
                    ui.end_row();
                } else {
                    let l = ui.label("URL");
                    ui.add(
                        egui::TextEdit::singleline(&mut draft.url)
                            .hint_text(draft.kind.default_url())
                            .desired_width(320.0),
                    )
                    .labelled_by(l.id);
                    ui.end_row();

                    ui.label("Authentication");
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut draft.auth, AuthKind::None, "None");
                        ui.radio_value(&mut draft.auth, AuthKind::Basic, "Basic");
                        ui.radio_value(&mut draft.auth, AuthKind::Bearer, "Bearer token");
                    });
                    ui.end_row();

                    if draft.auth == AuthKind::Basic {
                        let l = ui.label("Username");
                        ui.text_edit_singleline(&mut draft.username).labelled_by(l.id);
                        ui.end_row();
                    }
                    if draft.auth != AuthKind::None {
                        let what = if draft.auth == AuthKind::Basic {
                            "Password"
                        } else {
                            "Token"
                        };
                        let l = ui.label(what);
                        let hide = !draft.secret.starts_with("env:");
                        ui.add(
                            egui::TextEdit::singleline(&mut draft.secret)
                                .password(hide)
                                .hint_text("env:NAME to read an environment variable"),
                        )
                        .labelled_by(l.id);
                        ui.end_row();
                        ui.label("");
                        let note = if draft.secret.trim().starts_with("env:") || draft.secret.is_empty() {
                            "Saved as a reference to the environment variable."
                        } else {
                            "Kept for this session only; not written to the workspace. Use env:NAME to keep it."
                        };
                        ui.label(RichText::new(note).small().weak());
                        ui.end_row();
                    }

                    ui.label("Headers");
                    ui.vertical(|ui| {
                        let mut remove = None;
                        for (i, (name, value)) in draft.headers.iter_mut().enumerate() {
                            ui.horizontal(|ui| {
                                ui.add(
                                    egui::TextEdit::singleline(name)
                                        .hint_text("X-Scope-OrgID")
                                        .desired_width(140.0),
                                )
                                .on_hover_text("Header name");
                                ui.add(egui::TextEdit::singleline(value).desired_width(160.0))
                                    .on_hover_text("Header value (env:NAME allowed)");
                                if ui.button(format!("Remove header {}", i + 1)).clicked() {
                                    remove = Some(i);
                                }
                            });
                        }
                        if let Some(i) = remove {
                            draft.headers.remove(i);
                        }
                        if ui.button("Add header").clicked() {
                            draft.headers.push((String::new(), String::new()));
                        }
                    });
                    ui.end_row();

                    ui.label("CA certificate");
                    ui.horizontal(|ui| {
                        let text = draft
                            .ca_file
                            .as_ref()
                            .map_or("system roots".to_owned(), |p| p.display().to_string());
                        ui.label(text);
                        if ui.button("Choose CA file…").clicked() {
                            outcome = DialogOutcome::PickCaFile;
                        }
                        if draft.ca_file.is_some() && ui.button("Use system roots").clicked() {
                            draft.ca_file = None;
                        }
                    });
                    ui.end_row();

                    ui.label("TLS");
                    ui.checkbox(&mut draft.skip_tls_verify, "Skip TLS verification");
                    ui.end_row();
                    if draft.skip_tls_verify {
                        ui.label("");
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            "Warning: any certificate is accepted: traffic can be read or altered by anyone in between.",
                        );
                        ui.end_row();
                    }

                    let l = ui.label("Timeout (s)");
                    ui.add(egui::DragValue::new(&mut draft.timeout_secs).range(1..=600))
                        .labelled_by(l.id);
                    ui.end_row();
                }
            });

        if let Some(e) = &draft.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.separator();
        ui.horizontal(|ui| {
            if ui.button("Save connection").clicked() {
                match draft.to_connection() {
                    Ok(c) => {
                        actions.push(Action::SaveConnection(c));
                        outcome = DialogOutcome::Closed;
                    }
                    Err(e) => draft.error = Some(e),
                }
            }
            if ui.button("Cancel").clicked() {
                outcome = DialogOutcome::Closed;
            }
            if !draft.is_new && ui.button("Remove connection").clicked() {
                actions.push(Action::RemoveConnection(draft.id));
                outcome = DialogOutcome::Closed;
            }
        });
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_round_trips_a_connection() {
        let mut c = Connection::prometheus(ConnectionId(3), "prod", "https://prom.example/");
        c.auth = Auth::Bearer {
            token: Secret::Env("TOKEN".into()),
        };
        c.headers = vec![HeaderEntry::from_input("X-Scope-OrgID", "t1")];
        let back = ConnectionDraft::edit(&c).to_connection().unwrap();
        assert_eq!(back.url, "https://prom.example");
        assert_eq!(back.auth, c.auth);
        assert_eq!(back.headers, c.headers);
    }

    #[test]
    fn local_connection_saves_without_a_url() {
        let d = ConnectionDraft::edit(&Connection::local(ConnectionId(1)));
        let back = d.to_connection().unwrap();
        assert_eq!(back.kind, SourceKind::Local);
    }

    #[test]
    fn draft_refuses_a_url_without_scheme() {
        let mut d = ConnectionDraft::new(ConnectionId(1));
        d.url = "localhost:9090".into();
        assert!(d.to_connection().is_err());
    }
}
