//! What an SLO is, as the user defines it and the workspace saves it (RON): the indicator as
//! PromQL templates, the objective and the window. Validation says which field is wrong.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Where a query template takes its range, as in Sloth specs: `rate(x[{{.window}}])`.
pub const WINDOW_PLACEHOLDER: &str = "{{.window}}";

/// How good and bad events are counted. Query templates contain [`WINDOW_PLACEHOLDER`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Sli {
    /// Bad events over all events, e.g. 5xx over all requests.
    BadOverTotal { bad: String, total: String },
    /// Good events over all events: the error ratio is `1 − good/total`.
    GoodOverTotal { good: String, total: String },
    /// A query that already returns the error ratio (Sloth's `sli.raw`).
    ErrorRatio { query: String },
    /// Requests slower than a histogram bucket bound are bad.
    Latency {
        /// The bucket series, e.g. `http_server_duration_seconds_bucket`.
        bucket_metric: String,
        /// The `le` label value of the bound, exactly as the server has it (e.g. `"0.5"`).
        threshold_le: String,
        /// Matchers without braces, e.g. `job="api",route="/checkout"`; may be empty.
        #[serde(default)]
        selector: String,
    },
}

/// The SLO window: rolling, a whole number of days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SloWindow {
    pub days: u32,
}

impl Default for SloWindow {
    /// 30 days rolling.
    fn default() -> Self {
        Self { days: 30 }
    }
}

impl SloWindow {
    pub const DAYS_28: Self = Self { days: 28 };
    pub const DAYS_30: Self = Self { days: 30 };

    pub fn seconds(self) -> f64 {
        f64::from(self.days) * 86_400.0
    }
}

/// One service level objective.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SloDefinition {
    pub name: String,
    pub service: String,
    pub sli: Sli,
    /// The target good ratio in (0, 1], e.g. 0.999.
    pub objective: f64,
    #[serde(default)]
    pub window: SloWindow,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// Why a definition cannot be evaluated, naming the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSlo {
    pub slo: String,
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for InvalidSlo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SLO “{}”: {}: {}", self.slo, self.field, self.message)
    }
}

impl std::error::Error for InvalidSlo {}

impl SloDefinition {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), InvalidSlo> {
        let fail = |field, message: String| {
            Err(InvalidSlo {
                slo: self.name.clone(),
                field,
                message,
            })
        };
        if self.name.trim().is_empty() {
            return fail("name", "must not be empty".into());
        }
        if !(self.objective > 0.0 && self.objective <= 1.0) {
            return fail(
                "objective",
                format!("{} is not in (0, 1]; write 99.9 % as 0.999", self.objective),
            );
        }
        if self.window.days == 0 {
            return fail("window", "must be at least one day".into());
        }
        let needs_window = |field, query: &str| {
            if query.trim().is_empty() {
                return fail(field, "query is empty".into());
            }
            if !query.contains(WINDOW_PLACEHOLDER) {
                return fail(
                    field,
                    format!(
                        "has no {WINDOW_PLACEHOLDER} placeholder, so it cannot be evaluated over \
                         the SLO window and the burn-rate windows"
                    ),
                );
            }
            Ok(())
        };
        match &self.sli {
            Sli::BadOverTotal { bad, total } => {
                needs_window("sli.bad", bad)?;
                needs_window("sli.total", total)
            }
            Sli::GoodOverTotal { good, total } => {
                needs_window("sli.good", good)?;
                needs_window("sli.total", total)
            }
            Sli::ErrorRatio { query } => needs_window("sli.query", query),
            Sli::Latency {
                bucket_metric,
                threshold_le,
                selector,
            } => {
                if bucket_metric.trim().is_empty() {
                    return fail("sli.bucket_metric", "is empty".into());
                }
                if threshold_le.trim().parse::<f64>().is_err() {
                    return fail(
                        "sli.threshold_le",
                        format!("“{threshold_le}” is not a bucket bound such as 0.5"),
                    );
                }
                if selector.contains(['{', '}']) {
                    return fail(
                        "sli.selector",
                        "write the matchers without braces, e.g. job=\"api\"".into(),
                    );
                }
                Ok(())
            }
        }
    }
}
