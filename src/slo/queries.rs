//! PromQL for an SLO: the error ratio over any window, from the SLI templates or from
//! recorded rules when the server has them. Burn rates, budget and the charts all derive from
//! error ratios (see `analysis::slo`), so this is the only query an SLO needs.
//!
//! Every query uses only `sum`, `rate`, division, subtraction and label matchers, which the
//! Local source's PromQL subset evaluates too.

use super::definition::{Sli, SloDefinition, WINDOW_PLACEHOLDER};
use super::recording_rules::RecordedRules;

/// Seconds as a Prometheus duration with the largest exact unit: 2592000 → `30d`, 5400 → `90m`.
pub fn prom_duration(secs: f64) -> String {
    let secs = secs.max(1.0).round() as u64;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// A single-unit Prometheus duration (`5m`, `30d`, `4d`, `1w`) in seconds.
pub fn parse_duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    let size = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3_600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        "y" => 31_536_000.0,
        _ => return None,
    };
    Some(n * size)
}

/// Replaces the window placeholder in a template.
pub fn with_window(template: &str, window_secs: f64) -> String {
    template.replace(WINDOW_PLACEHOLDER, &prom_duration(window_secs))
}

/// The error ratio e(w) of the SLI over the trailing `window_secs`.
pub fn error_ratio_query(def: &SloDefinition, window_secs: f64, rules: &RecordedRules) -> String {
    if let Some(recorded) = rules.query(def, window_secs) {
        return recorded;
    }
    let w = |t: &str| with_window(t, window_secs);
    match &def.sli {
        Sli::BadOverTotal { bad, total } => format!("({}) / ({})", w(bad), w(total)),
        Sli::GoodOverTotal { good, total } => format!("1 - (({}) / ({}))", w(good), w(total)),
        Sli::ErrorRatio { query } => format!("({})", w(query)),
        Sli::Latency {
            bucket_metric,
            threshold_le,
            selector,
        } => {
            let selector = selector.trim().trim_end_matches(',');
            let sep = if selector.is_empty() { "" } else { "," };
            let range = prom_duration(window_secs);
            format!(
                "1 - (sum(rate({bucket_metric}{{{selector}{sep}le=\"{threshold_le}\"}}[{range}])) \
                 / sum(rate({bucket_metric}{{{selector}{sep}le=\"+Inf\"}}[{range}])))"
            )
        }
    }
}

/// The burn rate over `window_secs` as PromQL (for a chart or an alert rule; the status
/// computes burn rates from error ratios itself so that 1 − objective is not rounded twice).
pub fn burn_rate_query(def: &SloDefinition, window_secs: f64, rules: &RecordedRules) -> String {
    format!(
        "({}) / (1 - {})",
        error_ratio_query(def, window_secs, rules),
        def.objective
    )
}

/// Budget remaining at each step of a range query: `1 − e(W)/(1 − objective)`.
pub fn budget_remaining_query(def: &SloDefinition, rules: &RecordedRules) -> String {
    format!(
        "1 - ({}) / (1 - {})",
        error_ratio_query(def, def.window.seconds(), rules),
        def.objective
    )
}
