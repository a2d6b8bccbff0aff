//! Whether a connection's server answers: the sidebar's health dot, for every kind of source.

use super::{HttpClient, SourceError, prometheus};
use crate::fetch::Progress;
use crate::workspace::SourceKind;

/// Paths that answer 200 on a healthy server of `kind`, tried in order: the readiness
/// endpoint first, then an API route for servers (or proxies) that do not expose it.
fn probes(kind: SourceKind) -> &'static [&'static str] {
    match kind {
        SourceKind::Loki => &["/ready", "/loki/api/v1/labels"],
        SourceKind::Tempo => &["/ready", "/api/echo"],
        // Jaeger's query service has no readiness route on its UI port.
        SourceKind::Jaeger => &["/api/v3/services", "/api/services"],
        SourceKind::Prometheus | SourceKind::Local => &[],
    }
}

/// Checks that the server behind `http` answers like a `kind` server.
pub async fn health(kind: SourceKind, http: &HttpClient) -> Result<(), SourceError> {
    if kind == SourceKind::Prometheus {
        return prometheus::health(http).await;
    }
    let progress = Progress::default();
    let mut first_failure = None;
    for path in probes(kind) {
        let response = http.get(path, &[], &progress).await?;
        if response.status == 200 {
            return Ok(());
        }
        first_failure.get_or_insert(SourceError::HttpStatus {
            body: response.body_excerpt(),
            url: response.url,
            status: response.status,
        });
    }
    Err(first_failure
        .unwrap_or_else(|| SourceError::Config(format!("{} has no health check", kind.name()))))
}
