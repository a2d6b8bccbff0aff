//! Finding the error-ratio recording rules that Sloth or Pyrra already evaluate on the server,
//! so the panel reads them instead of recomputing long `rate`s.
//!
//! - Sloth: `slo:sli_error:ratio_rate<window>` with `sloth_service` and `sloth_slo` labels
//!   (windows 5m, 30m, 1h, 2h, 6h, 1d, 3d and the SLO window, e.g. 30d).
//! - Pyrra: `<metric>:burnrate<window>` with an `slo` label (despite the name, the value is the
//!   error ratio over the window).

use super::definition::SloDefinition;
use super::queries::parse_duration;
use crate::fetch::Progress;
use crate::model::Labels;
use crate::sources::error::SourceError;
use crate::sources::http::HttpClient;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const SLOTH_PREFIX: &str = "slo:sli_error:ratio_rate";
const PYRRA_INFIX: &str = ":burnrate";

/// Recorded error-ratio series found for one SLO: window (seconds) → metric name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordedRules {
    pub source: Option<RuleSource>,
    pub windows: BTreeMap<u64, String>,
}

/// Who wrote the rules, which decides the label that names the SLO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSource {
    Sloth,
    Pyrra,
}

impl RecordedRules {
    /// None found: every window is computed from the SLI queries.
    pub fn none() -> Self {
        Self::default()
    }

    /// The PromQL that reads the recorded error ratio over `window_secs`, if there is one.
    pub fn query(&self, def: &SloDefinition, window_secs: f64) -> Option<String> {
        let name = self.windows.get(&(window_secs as u64))?;
        let matchers = match self.source? {
            RuleSource::Sloth => format!(
                "sloth_service=\"{}\",sloth_slo=\"{}\"",
                escape(&def.service),
                escape(&def.name)
            ),
            RuleSource::Pyrra => format!("slo=\"{}\"", escape(&def.name)),
        };
        // Several series can carry the same ratio (e.g. one per Sloth version): take one.
        Some(format!("max({name}{{{matchers}}})"))
    }
}

/// The `match[]` selectors that find either tool's rules for `def`.
pub fn series_selectors(def: &SloDefinition) -> [String; 2] {
    [
        format!(
            // The prefix has no regex metacharacters.
            "{{__name__=~\"{SLOTH_PREFIX}.+\",sloth_service=\"{}\",sloth_slo=\"{}\"}}",
            escape(&def.service),
            escape(&def.name)
        ),
        format!(
            "{{__name__=~\".+{PYRRA_INFIX}.+\",slo=\"{}\"}}",
            escape(&def.name)
        ),
    ]
}

/// Reads the rules from series label sets (the answer of `/api/v1/series`). Sloth wins when
/// both are present, since its labels name the service as well as the SLO.
pub fn from_series(def: &SloDefinition, series: &[Labels]) -> RecordedRules {
    let mut sloth = BTreeMap::new();
    let mut pyrra = BTreeMap::new();
    for labels in series {
        let Some(name) = labels.metric_name() else {
            continue;
        };
        if let Some(window) = name.strip_prefix(SLOTH_PREFIX)
            && labels.get("sloth_service") == Some(def.service.as_str())
            && labels.get("sloth_slo") == Some(def.name.as_str())
            && let Some(secs) = parse_duration(window)
        {
            sloth.insert(secs as u64, name.to_owned());
        } else if let Some((_, window)) = name.rsplit_once(PYRRA_INFIX)
            && labels.get("slo") == Some(def.name.as_str())
            && let Some(secs) = parse_duration(window)
        {
            pyrra.insert(secs as u64, name.to_owned());
        }
    }
    if !sloth.is_empty() {
        RecordedRules {
            source: Some(RuleSource::Sloth),
            windows: sloth,
        }
    } else if !pyrra.is_empty() {
        RecordedRules {
            source: Some(RuleSource::Pyrra),
            windows: pyrra,
        }
    } else {
        RecordedRules::none()
    }
}

#[derive(Deserialize)]
struct SeriesAnswer {
    status: String,
    #[serde(default)]
    data: Vec<BTreeMap<String, String>>,
    #[serde(default)]
    error: Option<String>,
    #[serde(rename = "errorType", default)]
    error_type: Option<String>,
}

/// Asks `/api/v1/series` which recorded series exist for `def` in `[start, end]`.
pub async fn detect(
    http: &HttpClient,
    def: &SloDefinition,
    start: f64,
    end: f64,
) -> Result<RecordedRules, SourceError> {
    let [sloth, pyrra] = series_selectors(def);
    let (start, end) = (format!("{start:.0}"), format!("{end:.0}"));
    let form = [
        ("match[]", sloth.as_str()),
        ("match[]", pyrra.as_str()),
        ("start", start.as_str()),
        ("end", end.as_str()),
    ];
    let response = http
        .post_form("/api/v1/series", &form, &Progress::default())
        .await?;
    let answer: SeriesAnswer =
        serde_json::from_slice(&response.body).map_err(|e| match response.status {
            200..=299 => SourceError::Decode {
                url: response.url.clone(),
                message: e.to_string(),
                line: e.line(),
                column: e.column(),
            },
            status => SourceError::HttpStatus {
                url: response.url.clone(),
                status,
                body: response.body_excerpt(),
            },
        })?;
    if answer.status != "success" {
        return Err(SourceError::Query {
            url: response.url,
            error_type: answer.error_type.unwrap_or_else(|| "error".into()),
            message: answer.error.unwrap_or_default(),
        });
    }
    let series: Vec<Labels> = answer
        .data
        .into_iter()
        .map(|m| Labels::new(m.into_iter().collect()))
        .collect();
    Ok(from_series(def, &series))
}

/// Escapes a label value inside double quotes.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"")
}
