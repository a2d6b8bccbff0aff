//! Evaluates an SLO against a PromQL engine (a Prometheus-compatible server or the Local
//! store) into an [`SloStatus`]: every number and series a panel draws, already computed.

use super::definition::{InvalidSlo, SloDefinition};
use super::queries::error_ratio_query;
use super::recording_rules::{RecordedRules, RuleSource};
use crate::analysis::slo::{
    AlertRow, AlertState, BurnPreset, Exhaustion, alert_table, budget_consumed, budget_remaining,
    burn_rate, known, overall_state, time_to_exhaustion,
};
use crate::fetch::Progress;
use crate::model::{QueryResult, Series};
use crate::sources::error::SourceError;
use crate::sources::http::HttpClient;
use crate::sources::prometheus::instant::{InstantQuery, instant_query};
use crate::sources::prometheus::{RangeQuery, range_query};
use crate::store::LocalStore;
use futures_util::future::try_join_all;
use std::future::Future;

/// Something that answers PromQL at an instant and over a range.
pub trait PromQlEngine {
    fn instant(
        &self,
        query: &str,
        time: f64,
    ) -> impl Future<Output = Result<QueryResult, SourceError>> + Send;
    fn range(
        &self,
        q: &RangeQuery,
    ) -> impl Future<Output = Result<QueryResult, SourceError>> + Send;
}

/// A Prometheus-compatible server.
pub struct PrometheusEngine<'a> {
    pub http: &'a HttpClient,
    pub progress: &'a Progress,
}

impl PromQlEngine for PrometheusEngine<'_> {
    fn instant(
        &self,
        query: &str,
        time: f64,
    ) -> impl Future<Output = Result<QueryResult, SourceError>> + Send {
        let q = InstantQuery {
            query: query.to_owned(),
            time,
        };
        async move { instant_query(self.http, &q, self.progress).await }
    }

    fn range(
        &self,
        q: &RangeQuery,
    ) -> impl Future<Output = Result<QueryResult, SourceError>> + Send {
        range_query(self.http, q, self.progress)
    }
}

/// The embedded store, through the Local source's PromQL subset. Evaluation holds the
/// store's lock on the calling task; call it from a blocking-tolerant task for long windows.
pub struct LocalEngine<'a> {
    pub store: &'a LocalStore,
}

impl PromQlEngine for LocalEngine<'_> {
    fn instant(
        &self,
        query: &str,
        time: f64,
    ) -> impl Future<Output = Result<QueryResult, SourceError>> + Send {
        let result = crate::sources::local::range_query(self.store, query, time, time, 1.0);
        std::future::ready(result)
    }

    fn range(
        &self,
        q: &RangeQuery,
    ) -> impl Future<Output = Result<QueryResult, SourceError>> + Send {
        let result =
            crate::sources::local::range_query(self.store, &q.query, q.start, q.end, q.step);
        std::future::ready(result)
    }
}

/// Why an SLO could not be evaluated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SloError {
    #[error("{0}")]
    Invalid(#[from] InvalidSlo),
    #[error("{0}")]
    Source(#[from] SourceError),
}

/// Error ratio and burn rate over one trailing window.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowBurn {
    pub window_secs: f64,
    /// `None`: no traffic, no series or NaN.
    pub error_ratio: Option<f64>,
    pub burn_rate: Option<f64>,
    pub query: String,
}

/// Everything an SLO panel shows, at one evaluation time.
#[derive(Clone, Debug, PartialEq)]
pub struct SloStatus {
    pub slo: String,
    /// Unix seconds the status is for.
    pub at: f64,
    pub objective: f64,
    pub window_secs: f64,
    /// e(W) over the SLO window.
    pub error_ratio: Option<f64>,
    pub budget_remaining: Option<f64>,
    pub budget_consumed: Option<f64>,
    /// One entry per window of the preset, shortest first.
    pub burn_rates: Vec<WindowBurn>,
    pub preset: BurnPreset,
    pub alerts: Vec<AlertRow>,
    pub state: AlertState,
    /// At the burn rate of the preset's first long window (1 h in both presets).
    pub exhaustion: Exhaustion,
    /// The window the SLI and burn-rate series are computed over (the first long window).
    pub chart_window_secs: f64,
    /// SLI (1 − error ratio over `chart_window_secs`) over `[at − W, at]`.
    pub sli: Series,
    /// Burn rate over `chart_window_secs` over `[at − W, at]`.
    pub burn: Series,
    /// Budget remaining (rolling SLO window ending at each step) over `[at − W, at]`.
    pub budget: Series,
    /// Whose recording rules were read instead of recomputing, if any.
    pub recorded: Option<RuleSource>,
    /// Things the panel should say: several series where one was expected, and so on.
    pub notes: Vec<String>,
}

impl SloStatus {
    /// The burn rate computed for `window_secs`, if that window was evaluated.
    pub fn burn_rate(&self, window_secs: f64) -> Option<f64> {
        self.burn_rates
            .iter()
            .find(|b| b.window_secs == window_secs)
            .and_then(|b| b.burn_rate)
    }
}

/// Evaluates `def` at `at` with the alert windows of `preset`; the charts get about
/// `chart_points` points over the SLO window.
pub async fn evaluate(
    engine: &impl PromQlEngine,
    def: &SloDefinition,
    preset: &BurnPreset,
    rules: &RecordedRules,
    at: f64,
    chart_points: u32,
) -> Result<SloStatus, SloError> {
    def.validate()?;
    let window_secs = def.window.seconds();
    let mut notes = Vec::new();

    let mut windows = preset.windows();
    windows.push(window_secs);
    let queries: Vec<String> = windows
        .iter()
        .map(|&w| error_ratio_query(def, w, rules))
        .collect();
    let answers = try_join_all(queries.iter().map(|q| engine.instant(q, at))).await?;
    let mut ratios: Vec<Option<f64>> = Vec::with_capacity(answers.len());
    for (answer, query) in answers.iter().zip(&queries) {
        ratios.push(single_value(answer, query, &mut notes));
    }
    // The last query was the SLO window's; the others are the preset's windows.
    let error_ratio = ratios.pop().flatten();
    windows.pop();
    let burn_rates = queries_into_burns(&windows, &ratios, &queries, def.objective);

    let remaining = budget_remaining(error_ratio, def.objective);
    let burn_of = |secs: f64| {
        burn_rates
            .iter()
            .find(|b| b.window_secs == secs)
            .and_then(|b| b.burn_rate)
    };
    let alerts = alert_table(preset, burn_of, remaining, window_secs);
    let chart_window_secs = preset.rows.first().map_or(3600.0, |r| r.long_secs);
    let exhaustion = time_to_exhaustion(remaining, burn_of(chart_window_secs), window_secs);

    // Charts: the rolling e(W) (budget) and the short-window e (SLI and burn) over the window.
    let step = chart_step(window_secs, chart_points);
    let start = ((at - window_secs) / step).ceil() * step;
    let range = |query: String| RangeQuery {
        query,
        start,
        end: at,
        step,
    };
    let (budget_answer, short_answer) = futures_util::future::try_join(
        engine.range(&range(error_ratio_query(def, window_secs, rules))),
        engine.range(&range(error_ratio_query(def, chart_window_secs, rules))),
    )
    .await?;
    let budget_ratio = single_series(budget_answer, &mut notes);
    let short_ratio = single_series(short_answer, &mut notes);
    let budget = map_series(&budget_ratio, |e| budget_remaining(Some(e), def.objective));
    let burn = map_series(&short_ratio, |e| burn_rate(Some(e), def.objective));
    let sli = map_series(&short_ratio, |e| Some(1.0 - e));

    Ok(SloStatus {
        slo: def.name.clone(),
        at,
        objective: def.objective,
        window_secs,
        error_ratio,
        budget_remaining: remaining,
        budget_consumed: budget_consumed(error_ratio, def.objective),
        state: overall_state(&alerts),
        alerts,
        burn_rates,
        preset: preset.clone(),
        exhaustion,
        chart_window_secs,
        sli,
        burn,
        budget,
        recorded: rules.source,
        notes,
    })
}

fn queries_into_burns(
    windows: &[f64],
    ratios: &[Option<f64>],
    queries: &[String],
    objective: f64,
) -> Vec<WindowBurn> {
    windows
        .iter()
        .zip(ratios)
        .zip(queries)
        .map(|((&window_secs, &error_ratio), query)| WindowBurn {
            window_secs,
            error_ratio,
            burn_rate: burn_rate(error_ratio, objective),
            query: query.clone(),
        })
        .collect()
}

/// A step that is a whole number of minutes and gives at most `points` points over `window`.
pub fn chart_step(window_secs: f64, points: u32) -> f64 {
    let raw = window_secs / f64::from(points.max(2));
    (raw / 60.0).ceil().max(1.0) * 60.0
}

/// The one value an error-ratio query should return; several series are noted and the
/// worst (largest) ratio is kept, since summing ratios would be wrong.
fn single_value(answer: &QueryResult, query: &str, notes: &mut Vec<String>) -> Option<f64> {
    let values: Vec<f64> = answer
        .series
        .iter()
        .filter_map(|s| s.values.last().copied())
        .filter(|v| !v.is_nan())
        .collect();
    if answer.series.len() > 1 {
        notes.push(format!(
            "{} series answered “{query}”; showing the largest error ratio. Aggregate the SLI \
             queries with sum(…) to get one.",
            answer.series.len()
        ));
    }
    known(values.into_iter().reduce(f64::max))
}

fn single_series(answer: QueryResult, notes: &mut Vec<String>) -> Series {
    let count = answer.series.len();
    if count > 1 {
        notes.push(format!(
            "{count} series in a chart query; charting the first. Aggregate the SLI queries with sum(…)."
        ));
    }
    answer.series.into_iter().next().unwrap_or_default()
}

/// Applies `f` to each value; points where it gives no number (NaN: zero traffic) are left out.
fn map_series(input: &Series, f: impl Fn(f64) -> Option<f64>) -> Series {
    let mut out = Series::default();
    for (&t, &v) in input.timestamps.iter().zip(&input.values) {
        if let Some(y) = known(f(v)) {
            out.timestamps.push(t);
            out.values.push(y);
        }
    }
    out
}
