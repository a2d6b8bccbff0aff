//! Completion for the query editors (PromQL, and LogQL's stream labels): what the
//! connection's cache lacks, fetched in the background.

use super::SignalscopeApp;
use crate::sources::HttpClient;
use crate::sources::completion::{CompletionBackend, CompletionSource};
use crate::workspace::{PanelId, SourceKind};
use std::sync::Arc;
use std::time::{Duration, Instant};

impl SignalscopeApp {
    /// Fetches what PromQL completion lacks for a panel's connection into its cache, once per
    /// context every few seconds however often the editor asks.
    pub(super) fn fetch_completions(
        &mut self,
        panel: PanelId,
        context: crate::analysis::promql_completion::CompletionContext,
    ) {
        let Some(conn) = self.workspace.panel_connection(panel).cloned() else {
            return;
        };
        let key = (conn.id, format!("{context:?}"));
        if self
            .completion_requests
            .get(&key)
            .is_some_and(|t| t.elapsed() < Duration::from_secs(5))
        {
            return;
        }
        self.completion_requests.insert(key, Instant::now());
        let cache = Arc::clone(self.completions.entry(conn.id).or_default());
        let store = self.local.as_ref().map(|l| l.store.clone());
        let waker = self.waker();
        self.runtime.spawn_detached(async move {
            let backend = match (conn.kind, store) {
                (SourceKind::Local, Some(store)) => CompletionBackend::Local(store),
                (SourceKind::Local, None) => return,
                (SourceKind::Prometheus, _) => match HttpClient::new(&conn) {
                    Ok(http) => CompletionBackend::Prometheus(http),
                    Err(_) => return,
                },
                (SourceKind::Loki, _) => match HttpClient::new(&conn) {
                    Ok(http) => CompletionBackend::Loki(http),
                    Err(_) => return,
                },
                (SourceKind::Tempo, _) => match HttpClient::new(&conn) {
                    Ok(http) => CompletionBackend::Tempo(http),
                    Err(_) => return,
                },
                // Jaeger's search is a form; nothing to complete.
                (SourceKind::Jaeger, _) => return,
            };
            let source = CompletionSource::with_cache(backend, cache);
            // A failure leaves the cache as it was; the editor simply offers less.
            let _ = source.vocabulary_for(&context).await;
            waker();
        });
    }
}
