//! SLO arithmetic: error ratios, error budget, burn rates, time to exhaustion and the
//! multi-window multi-burn-rate alert table. Pure functions of numbers, no queries, no I/O.
//!
//! Conventions, chosen so that a panel never has to guess:
//! - "No data" is `None`, never zero: zero traffic (0/0, which Prometheus answers with NaN or
//!   with no series at all) says nothing about errors. NaN inputs are no data too.
//! - An objective of 100 % leaves a budget of zero: an error ratio of 0 burns at 0 (budget
//!   untouched, remaining 1), any error burns at `+∞` (remaining `−∞`).
//! - Budget remaining may be negative: −2.8 means 3.8 budgets were spent.

use serde::{Deserialize, Serialize};

/// Errors over events, or `None` when there were no events (or the inputs are not numbers).
pub fn error_ratio(bad: f64, total: f64) -> Option<f64> {
    if bad.is_nan() || total.is_nan() || total <= 0.0 {
        return None;
    }
    Some(bad / total)
}

/// A ratio read from a server: NaN (Prometheus' answer to 0/0) means no data.
pub fn known(ratio: Option<f64>) -> Option<f64> {
    ratio.filter(|r| !r.is_nan())
}

/// How many times faster than "exactly the budget over the SLO window" errors arrive:
/// `e / (1 − objective)`. See the module docs for an objective of 100 %.
pub fn burn_rate(error_ratio: Option<f64>, objective: f64) -> Option<f64> {
    let e = known(error_ratio)?;
    if objective.is_nan() {
        return None;
    }
    let budget = 1.0 - objective;
    if budget <= 0.0 {
        return Some(if e > 0.0 { f64::INFINITY } else { 0.0 });
    }
    Some(e / budget)
}

/// The share of the budget spent over the SLO window: `e(W) / (1 − objective)`.
pub fn budget_consumed(error_ratio_over_window: Option<f64>, objective: f64) -> Option<f64> {
    burn_rate(error_ratio_over_window, objective)
}

/// `1 − e(W)/(1 − objective)`: 1 is untouched, 0 is spent, below 0 is overspent.
pub fn budget_remaining(error_ratio_over_window: Option<f64>, objective: f64) -> Option<f64> {
    budget_consumed(error_ratio_over_window, objective).map(|c| 1.0 - c)
}

/// When the budget runs out if errors keep arriving at the current burn rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Exhaustion {
    /// Budget or burn rate unknown.
    NoData,
    /// Burn rate is zero (or negative, which a counter cannot give): the budget lasts.
    NotBurning,
    /// Nothing is left (remaining ≤ 0): it ran out already, however fast we burn now.
    AlreadyExhausted,
    /// Seconds from now.
    In(f64),
}

/// At burn rate `b` the whole budget lasts `window / b`, so what remains lasts
/// `remaining × window / b`.
pub fn time_to_exhaustion(
    remaining: Option<f64>,
    burn_rate: Option<f64>,
    window_secs: f64,
) -> Exhaustion {
    let (Some(remaining), Some(burn)) = (known(remaining), known(burn_rate)) else {
        return Exhaustion::NoData;
    };
    if remaining <= 0.0 {
        return Exhaustion::AlreadyExhausted;
    }
    if burn <= 0.0 {
        return Exhaustion::NotBurning;
    }
    Exhaustion::In(remaining * window_secs / burn)
}

/// How loudly a row of the alert table asks for attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Ticket,
    Page,
}

/// A row's state. Ordered so that the worst row wins with `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlertState {
    NoData,
    Ok,
    Ticket,
    Page,
}

impl From<Severity> for AlertState {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Ticket => Self::Ticket,
            Severity::Page => Self::Page,
        }
    }
}

/// One multi-window rule: alert when both the long and the short window burn faster than
/// `factor` (the short window makes the alert stop soon after the errors do).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertWindow {
    pub long_secs: f64,
    pub short_secs: f64,
    pub factor: f64,
    pub severity: Severity,
}

/// A set of alert windows designed for one SLO window length.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BurnPreset {
    pub name: String,
    /// The SLO window the factors were designed for.
    pub window_secs: f64,
    pub rows: Vec<AlertWindow>,
}

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn row(long_secs: f64, short_secs: f64, factor: f64, severity: Severity) -> AlertWindow {
    AlertWindow {
        long_secs,
        short_secs,
        factor,
        severity,
    }
}

impl BurnPreset {
    /// Google SRE Workbook, "Alerting on SLOs", table 5-8 (30-day window): 2 % of the budget
    /// in 1 h and 5 % in 6 h page; 10 % in 1 d and 10 % in 3 d open tickets.
    pub fn sre_workbook_30d() -> Self {
        Self {
            name: "SRE Workbook (30 d)".into(),
            window_secs: 30.0 * DAY,
            rows: vec![
                row(HOUR, 5.0 * MINUTE, 14.4, Severity::Page),
                row(6.0 * HOUR, 30.0 * MINUTE, 6.0, Severity::Page),
                row(DAY, 2.0 * HOUR, 3.0, Severity::Ticket),
                row(3.0 * DAY, 6.0 * HOUR, 1.0, Severity::Ticket),
            ],
        }
    }

    /// Pyrra's defaults for 28 days (`Windows` in pyrra-dev/pyrra `slo/rules.go`):
    /// critical 1h/5m ×14 and 6h/30m ×7, warning 1d/2h ×2 and 4d/6h ×1. Pyrra's
    /// "critical" is our page and its "warning" our ticket.
    pub fn pyrra_28d() -> Self {
        Self {
            name: "Pyrra (28 d)".into(),
            window_secs: 28.0 * DAY,
            rows: vec![
                row(HOUR, 5.0 * MINUTE, 14.0, Severity::Page),
                row(6.0 * HOUR, 30.0 * MINUTE, 7.0, Severity::Page),
                row(DAY, 2.0 * HOUR, 2.0, Severity::Ticket),
                row(4.0 * DAY, 6.0 * HOUR, 1.0, Severity::Ticket),
            ],
        }
    }

    /// The preset designed for this SLO window: Pyrra's for 28 days, the Workbook's otherwise.
    pub fn for_window(window_secs: f64) -> Self {
        if window_secs == 28.0 * DAY {
            Self::pyrra_28d()
        } else {
            Self::sre_workbook_30d()
        }
    }

    /// Every distinct window the table needs a burn rate for, shortest first.
    pub fn windows(&self) -> Vec<f64> {
        let mut w: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|r| [r.long_secs, r.short_secs])
            .collect();
        w.sort_by(f64::total_cmp);
        w.dedup();
        w
    }
}

/// One evaluated row of the alert table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub window: AlertWindow,
    pub long_burn: Option<f64>,
    pub short_burn: Option<f64>,
    pub state: AlertState,
    /// At the long window's burn rate.
    pub exhaustion: Exhaustion,
}

/// Both windows above the factor fire the row's severity; a missing window is no data.
pub fn alert_state(
    window: &AlertWindow,
    long_burn: Option<f64>,
    short_burn: Option<f64>,
) -> AlertState {
    match (known(long_burn), known(short_burn)) {
        (Some(long), Some(short)) if long > window.factor && short > window.factor => {
            window.severity.into()
        }
        (Some(_), Some(_)) => AlertState::Ok,
        _ => AlertState::NoData,
    }
}

/// Fills the alert table from burn rates per window (`burn(secs)`).
pub fn alert_table(
    preset: &BurnPreset,
    burn: impl Fn(f64) -> Option<f64>,
    remaining: Option<f64>,
    slo_window_secs: f64,
) -> Vec<AlertRow> {
    preset
        .rows
        .iter()
        .map(|w| {
            let (long_burn, short_burn) = (burn(w.long_secs), burn(w.short_secs));
            AlertRow {
                window: *w,
                long_burn,
                short_burn,
                state: alert_state(w, long_burn, short_burn),
                exhaustion: time_to_exhaustion(remaining, long_burn, slo_window_secs),
            }
        })
        .collect()
}

/// The worst state of a table; no rows is no data.
pub fn overall_state(rows: &[AlertRow]) -> AlertState {
    rows.iter()
        .map(|r| r.state)
        .max()
        .unwrap_or(AlertState::NoData)
}
