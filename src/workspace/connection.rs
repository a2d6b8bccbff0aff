//! A connection to one backend: where it is and how to authenticate. Secrets stay out of files.

use super::secret::Secret;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Stable identity of a connection within a workspace; panels refer to connections by it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct ConnectionId(pub u32);

/// The kind of backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    /// Prometheus and servers speaking its HTTP API (Mimir, Thanos, VictoriaMetrics).
    #[default]
    Prometheus,
    /// The embedded store fed by the OTLP receiver; needs no URL.
    Local,
    Loki,
    Jaeger,
    Tempo,
}

/// What a kind of source can answer: the panels that may use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Metrics,
    Logs,
    Traces,
}

impl SourceKind {
    pub const ALL: &[SourceKind] = &[
        SourceKind::Prometheus,
        SourceKind::Loki,
        SourceKind::Jaeger,
        SourceKind::Tempo,
        SourceKind::Local,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Self::Prometheus => "Prometheus",
            Self::Local => "Local (embedded OTLP store)",
            Self::Loki => "Loki",
            Self::Jaeger => "Jaeger",
            Self::Tempo => "Tempo",
        }
    }

    /// Whether a panel showing `signal` can read this kind of source.
    pub fn serves(&self, signal: Signal) -> bool {
        match self {
            Self::Local => true,
            Self::Prometheus => signal == Signal::Metrics,
            Self::Loki => signal == Signal::Logs,
            Self::Jaeger | Self::Tempo => signal == Signal::Traces,
        }
    }

    /// The URL a new connection of this kind starts with (the server's usual local port).
    pub fn default_url(&self) -> &'static str {
        match self {
            Self::Prometheus => "http://127.0.0.1:9090",
            Self::Local => "",
            Self::Loki => "http://127.0.0.1:3100",
            Self::Jaeger => "http://127.0.0.1:16686",
            Self::Tempo => "http://127.0.0.1:3200",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Auth {
    #[default]
    None,
    Basic {
        username: String,
        password: Secret,
    },
    Bearer {
        token: Secret,
    },
}

/// An extra request header such as `X-Scope-OrgID`. Values of headers whose names suggest a
/// credential are kept as secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderEntry {
    pub name: String,
    pub value: HeaderValue,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeaderValue {
    Plain(String),
    Secret(Secret),
}

impl HeaderEntry {
    /// Builds a header from what the user typed, treating credentials as secrets.
    pub fn from_input(name: &str, value: &str) -> Self {
        let name = name.trim().to_owned();
        let value = if value.trim_start().starts_with("env:") || is_sensitive_header(&name) {
            HeaderValue::Secret(Secret::from_input(value))
        } else {
            HeaderValue::Plain(value.to_owned())
        };
        Self { name, value }
    }

    pub fn value_input_text(&self) -> String {
        match &self.value {
            HeaderValue::Plain(v) => v.clone(),
            HeaderValue::Secret(s) => s.input_text(),
        }
    }

    pub fn resolve(&self) -> Result<Option<String>, String> {
        match &self.value {
            HeaderValue::Plain(v) => Ok(Some(v.clone())),
            HeaderValue::Secret(s) => s.resolve(),
        }
    }
}

/// Header names that usually carry credentials.
pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "authorization",
        "token",
        "key",
        "secret",
        "password",
        "cookie",
        "session",
    ]
    .iter()
    .any(|word| name.contains(word))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Connection {
    pub id: ConnectionId,
    pub name: String,
    pub kind: SourceKind,
    /// Base URL, e.g. `http://127.0.0.1:9090` or a Mimir prefix `https://mimir/prometheus`.
    pub url: String,
    pub auth: Auth,
    pub headers: Vec<HeaderEntry>,
    /// A PEM file with extra CA certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// Accept any TLS certificate. Dangerous; the UI warns while it is on.
    pub skip_tls_verify: bool,
    /// Per-request timeout.
    pub timeout_secs: u64,
}

impl Default for Connection {
    fn default() -> Self {
        Self {
            id: ConnectionId::default(),
            name: String::new(),
            kind: SourceKind::default(),
            url: String::new(),
            auth: Auth::None,
            headers: Vec::new(),
            ca_file: None,
            skip_tls_verify: false,
            timeout_secs: 30,
        }
    }
}

impl Connection {
    /// The embedded store.
    pub fn local(id: ConnectionId) -> Self {
        Self {
            id,
            name: "Local".to_owned(),
            kind: SourceKind::Local,
            ..Self::default()
        }
    }

    pub fn prometheus(id: ConnectionId, name: &str, url: &str) -> Self {
        Self {
            id,
            name: name.to_owned(),
            kind: SourceKind::Prometheus,
            url: url.to_owned(),
            ..Self::default()
        }
    }

    /// True when some secret of this connection was typed in this session and will not be saved.
    pub fn has_session_only_secret(&self) -> bool {
        let auth = match &self.auth {
            Auth::None => false,
            Auth::Basic { password, .. } => password.is_session_only(),
            Auth::Bearer { token } => token.is_session_only(),
        };
        auth || self
            .headers
            .iter()
            .any(|h| matches!(&h.value, HeaderValue::Secret(s) if s.is_session_only()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_become_secrets_and_tenant_ids_do_not() {
        let key = HeaderEntry::from_input("X-API-Key", "abc");
        assert_eq!(
            key.value,
            HeaderValue::Secret(Secret::Session("abc".into()))
        );
        let org = HeaderEntry::from_input("X-Scope-OrgID", "tenant-1");
        assert_eq!(org.value, HeaderValue::Plain("tenant-1".into()));
        let env = HeaderEntry::from_input("X-Scope-OrgID", "env:ORG");
        assert_eq!(env.value, HeaderValue::Secret(Secret::Env("ORG".into())));
    }

    #[test]
    fn each_kind_serves_its_signals_and_local_serves_all() {
        use super::Signal::*;
        let serving = |s| {
            SourceKind::ALL
                .iter()
                .filter(|k| k.serves(s))
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            serving(Metrics),
            [SourceKind::Prometheus, SourceKind::Local]
        );
        assert_eq!(serving(Logs), [SourceKind::Loki, SourceKind::Local]);
        assert_eq!(
            serving(Traces),
            [SourceKind::Jaeger, SourceKind::Tempo, SourceKind::Local]
        );
    }
}
