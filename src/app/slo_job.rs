//! Evaluates an SLO panel's objective at the end of the global range, against a Prometheus
//! server (using Sloth or Pyrra recording rules when the server has them) or the local store.

use super::panel_state::PanelData;
use crate::fetch::Progress;
use crate::slo::evaluate::{LocalEngine, PrometheusEngine, SloError, evaluate};
use crate::slo::recording_rules::{RecordedRules, detect};
use crate::sources::{HttpClient, SourceError};
use crate::store::LocalStore;
use crate::workspace::{Connection, SloPanel};
use std::sync::Arc;

/// Points in each of the SLO panel's charts over the SLO window.
const CHART_POINTS: u32 = 240;

pub async fn run_slo(
    spec: SloPanel,
    at: f64,
    store: Option<LocalStore>,
    conn: Option<Connection>,
    progress: Arc<Progress>,
) -> Result<PanelData, SourceError> {
    let preset = spec.preset.burn_preset(spec.definition.window);
    let def = spec.definition;
    let status = match (store, conn) {
        (Some(store), _) => {
            // The local engine holds the store's lock while it evaluates: a blocking task.
            let handle = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || {
                handle.block_on(evaluate(
                    &LocalEngine { store: &store },
                    &def,
                    &preset,
                    &RecordedRules::none(),
                    at,
                    CHART_POINTS,
                ))
            })
            .await
            .map_err(|e| SourceError::Config(format!("SLO evaluation stopped: {e}")))?
        }
        (None, Some(conn)) => {
            let http = HttpClient::new(&conn)?;
            let window = def.window.seconds();
            // Recording rules are a shortcut, not a requirement: without them, compute.
            let rules = detect(&http, &def, at - window, at)
                .await
                .unwrap_or_else(|_| RecordedRules::none());
            let engine = PrometheusEngine {
                http: &http,
                progress: &progress,
            };
            evaluate(&engine, &def, &preset, &rules, at, CHART_POINTS).await
        }
        (None, None) => {
            return Err(SourceError::Config(
                "choose a connection for this SLO".into(),
            ));
        }
    };
    match status {
        Ok(status) => Ok(PanelData::Slo(Arc::new(status))),
        Err(SloError::Source(e)) => Err(e),
        Err(SloError::Invalid(e)) => Err(SourceError::Config(e.to_string())),
    }
}
