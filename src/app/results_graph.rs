//! The service graph of a traces panel's listed traces: the list holds summaries, so the
//! traces are fetched whole in the background and the graph built from all of them.

use super::SignalscopeApp;
use super::panel_state::PanelData;
use super::trace_fetch::fetch_results_graph;
use crate::workspace::PanelId;

impl SignalscopeApp {
    /// Starts building the service graph of panel `id`'s listed traces (replacing one in
    /// progress); the panel shows progress and can cancel it.
    pub(super) fn build_results_graph(&mut self, id: PanelId) {
        let Some(conn) = self.workspace.panel_connection(id).cloned() else {
            self.notify("Choose a connection for the traces panel first", true);
            return;
        };
        let ids: Vec<_> = match self.panels.get(&id).and_then(|s| s.last.as_ref()) {
            Some(Ok(PanelData::Traces(list))) => list.iter().map(|t| t.trace_id).collect(),
            _ => Vec::new(),
        };
        if ids.is_empty() {
            self.notify(
                "Search for traces first: the graph is drawn from the list",
                true,
            );
            return;
        }
        let store = self.local.as_ref().map(|l| l.store.clone());
        let job = self
            .runtime
            .spawn(self.waker(), move |progress| async move {
                fetch_results_graph(conn, store, ids, &progress).await
            });
        self.panels.entry(id).or_default().results_graph_job = Some(job);
    }

    pub(super) fn close_results_graph(&mut self, id: PanelId) {
        if let Some(state) = self.panels.get_mut(&id) {
            state.results_graph = None;
            state.results_graph_job = None;
        }
    }
}
