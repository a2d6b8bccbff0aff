//! Import of OpenSLO v1 YAML: `kind: SLO` documents with a ratio indicator (inline
//! `spec.indicator` or `spec.indicatorRef` to a `kind: SLI` document in the same file) whose
//! metric sources are Prometheus-compatible. Other kinds (Service, AlertPolicy…) are skipped.
//!
//! OpenSLO queries carry their own range (`rate(x[5m])`) or none at all (`counter: true`
//! selectors). To evaluate them over the SLO window and the burn-rate windows, ranges are
//! replaced by `{{.window}}` and bare selectors are wrapped in `sum(rate(…[{{.window}}]))`.

use super::ImportError;
use super::definition::{Sli, SloDefinition, SloWindow, WINDOW_PLACEHOLDER};
use super::queries::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Document {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    spec: Spec,
}

#[derive(Deserialize, Default)]
struct Metadata {
    name: Option<String>,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, LabelValue>,
}

/// OpenSLO allows a label to hold one value or a list.
#[derive(Deserialize)]
#[serde(untagged)]
enum LabelValue {
    One(String),
    Many(Vec<String>),
}

/// The union of the SLO and SLI specs' fields we read.
#[derive(Deserialize, Default)]
struct Spec {
    service: Option<String>,
    #[serde(default)]
    description: String,
    indicator: Option<Indicator>,
    #[serde(rename = "indicatorRef")]
    indicator_ref: Option<String>,
    #[serde(rename = "timeWindow", default)]
    time_window: Vec<TimeWindow>,
    #[serde(default)]
    objectives: Vec<Objective>,
    #[serde(rename = "ratioMetric")]
    ratio_metric: Option<RatioMetric>,
    #[serde(rename = "thresholdMetric")]
    threshold_metric: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Indicator {
    #[serde(default)]
    spec: IndicatorSpec,
}

#[derive(Deserialize, Default)]
struct IndicatorSpec {
    #[serde(rename = "ratioMetric")]
    ratio_metric: Option<RatioMetric>,
    #[serde(rename = "thresholdMetric")]
    threshold_metric: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Clone)]
struct RatioMetric {
    #[serde(default)]
    counter: bool,
    good: Option<MetricRef>,
    bad: Option<MetricRef>,
    total: Option<MetricRef>,
}

#[derive(Deserialize, Clone)]
struct MetricRef {
    #[serde(rename = "metricSource")]
    metric_source: Option<MetricSource>,
}

#[derive(Deserialize, Clone)]
struct MetricSource {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    spec: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct TimeWindow {
    duration: Option<String>,
    #[serde(rename = "isRolling", default)]
    is_rolling: Option<bool>,
}

#[derive(Deserialize)]
struct Objective {
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    target: Option<f64>,
    #[serde(rename = "targetPercent")]
    target_percent: Option<f64>,
}

/// Sources whose queries are PromQL.
const PROMQL_SOURCES: [&str; 5] = ["prometheus", "thanos", "mimir", "cortex", "victoriametrics"];

/// Reads every `kind: SLO` document of an OpenSLO v1 file.
pub fn import_openslo(yaml: &str) -> Result<Vec<SloDefinition>, ImportError> {
    let docs: Vec<Document> = serde_saphyr::from_multiple(yaml).map_err(|e| ImportError {
        document: 0,
        field: String::new(),
        message: format!("not OpenSLO YAML: {e}"),
    })?;
    for (i, doc) in docs.iter().enumerate() {
        match doc.api_version.as_deref() {
            Some("openslo/v1") => {}
            other => {
                return Err(ImportError {
                    document: i + 1,
                    field: "apiVersion".into(),
                    message: format!(
                        "{} is not supported; expected openslo/v1",
                        other.map_or("a missing apiVersion".into(), |v| format!("“{v}”"))
                    ),
                });
            }
        }
    }
    // Indicators defined as their own documents, for `indicatorRef`.
    let slis: BTreeMap<&str, (usize, &Spec)> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind.as_deref() == Some("SLI"))
        .filter_map(|(i, d)| Some((d.metadata.name.as_deref()?, (i + 1, &d.spec))))
        .collect();
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        if doc.kind.as_deref() == Some("SLO") {
            out.extend(slo(i + 1, doc, &slis)?);
        }
    }
    Ok(out)
}

fn slo(
    document: usize,
    doc: &Document,
    slis: &BTreeMap<&str, (usize, &Spec)>,
) -> Result<Vec<SloDefinition>, ImportError> {
    let err = |field: &str, message: String| ImportError {
        document,
        field: field.to_owned(),
        message,
    };
    let name = doc
        .metadata
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| err("metadata.name", "missing".into()))?;
    let spec = &doc.spec;
    let service = spec
        .service
        .clone()
        .ok_or_else(|| err("spec.service", "missing".into()))?;

    let (ratio, ratio_field, ratio_doc) = if let Some(indicator) = &spec.indicator {
        if indicator.spec.threshold_metric.is_some() {
            return Err(err(
                "spec.indicator.spec.thresholdMetric",
                "threshold indicators are not supported; use ratioMetric".into(),
            ));
        }
        (
            indicator.spec.ratio_metric.clone(),
            "spec.indicator.spec.ratioMetric",
            document,
        )
    } else if let Some(reference) = &spec.indicator_ref {
        let (sli_doc, sli) = slis.get(reference.as_str()).ok_or_else(|| {
            err(
                "spec.indicatorRef",
                format!("no kind: SLI document named “{reference}” in this file"),
            )
        })?;
        if sli.threshold_metric.is_some() {
            return Err(ImportError {
                document: *sli_doc,
                field: "spec.thresholdMetric".into(),
                message: "threshold indicators are not supported; use ratioMetric".into(),
            });
        }
        (sli.ratio_metric.clone(), "spec.ratioMetric", *sli_doc)
    } else {
        return Err(err(
            "spec.indicator",
            "missing (neither indicator nor indicatorRef)".into(),
        ));
    };
    let ratio = ratio.ok_or_else(|| ImportError {
        document: ratio_doc,
        field: ratio_field.into(),
        message: "missing".into(),
    })?;
    let query = |which: &str, m: &Option<MetricRef>| -> Result<Option<String>, ImportError> {
        let Some(m) = m else { return Ok(None) };
        let field = format!("{ratio_field}.{which}.metricSource");
        let fail = |message: String| ImportError {
            document: ratio_doc,
            field: field.clone(),
            message,
        };
        let source = m
            .metric_source
            .as_ref()
            .ok_or_else(|| fail("missing".into()))?;
        let kind = source.kind.clone().unwrap_or_default();
        if !PROMQL_SOURCES.contains(&kind.to_ascii_lowercase().as_str()) {
            return Err(fail(format!(
                "type “{kind}” is not a PromQL source (Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics)"
            )));
        }
        let text = source
            .spec
            .get("query")
            .or_else(|| source.spec.get("promql"))
            .ok_or_else(|| fail("spec.query missing".into()))?;
        windowed(text, ratio.counter).map(Some).map_err(fail)
    };
    let good = query("good", &ratio.good)?;
    let bad = query("bad", &ratio.bad)?;
    let total = query("total", &ratio.total)?.ok_or_else(|| ImportError {
        document: ratio_doc,
        field: format!("{ratio_field}.total"),
        message: "missing".into(),
    })?;
    let sli = match (good, bad) {
        (_, Some(bad)) => Sli::BadOverTotal { bad, total },
        (Some(good), None) => Sli::GoodOverTotal { good, total },
        (None, None) => {
            return Err(ImportError {
                document: ratio_doc,
                field: ratio_field.into(),
                message: "needs good or bad next to total".into(),
            });
        }
    };

    let window = match spec.time_window.as_slice() {
        [] => SloWindow::default(),
        [w] => {
            if w.is_rolling == Some(false) {
                return Err(err(
                    "spec.timeWindow[0].isRolling",
                    "calendar windows are not supported; only rolling windows".into(),
                ));
            }
            let text = w.duration.clone().unwrap_or_default();
            let secs = parse_duration(&text).filter(|s| *s >= 86_400.0 && s % 86_400.0 == 0.0);
            let days = secs.ok_or_else(|| {
                err(
                    "spec.timeWindow[0].duration",
                    format!("“{text}” is not a whole number of days such as 30d or 4w"),
                )
            })? / 86_400.0;
            SloWindow { days: days as u32 }
        }
        _ => {
            return Err(err(
                "spec.timeWindow",
                "OpenSLO allows exactly one time window".into(),
            ));
        }
    };
    if spec.objectives.is_empty() {
        return Err(err("spec.objectives", "no objectives".into()));
    }
    let labels: BTreeMap<String, String> = doc
        .metadata
        .labels
        .iter()
        .map(|(k, v)| {
            let value = match v {
                LabelValue::One(s) => s.clone(),
                LabelValue::Many(list) => list.join(","),
            };
            (k.clone(), value)
        })
        .collect();
    let several = spec.objectives.len() > 1;
    let mut out = Vec::new();
    for (j, objective) in spec.objectives.iter().enumerate() {
        let field = format!("spec.objectives[{j}].target");
        let target = match (objective.target, objective.target_percent) {
            (Some(t), _) => t,
            (None, Some(p)) => (p * 1e10).round() / 1e12,
            (None, None) => return Err(err(&field, "missing (target or targetPercent)".into())),
        };
        let name = if several {
            let suffix = objective
                .display_name
                .clone()
                .unwrap_or_else(|| (j + 1).to_string());
            format!("{name} ({suffix})")
        } else {
            name.clone()
        };
        let def = SloDefinition {
            name,
            service: service.clone(),
            sli: sli.clone(),
            objective: target,
            window,
            labels: labels.clone(),
            description: if spec.description.is_empty() {
                doc.metadata.display_name.clone().unwrap_or_default()
            } else {
                spec.description.clone()
            },
        };
        def.validate().map_err(|e| {
            let f = if e.field == "objective" {
                field.clone()
            } else {
                e.field.to_owned()
            };
            err(&f, e.message)
        })?;
        out.push(def);
    }
    Ok(out)
}

/// Gives a query a `{{.window}}` range: keeps templates, replaces literal ranges (not
/// subquery ranges, which have a colon), and wraps bare selectors in `sum(rate(…))`.
pub fn windowed(query: &str, counter: bool) -> Result<String, String> {
    let query = query.trim();
    if query.contains(WINDOW_PLACEHOLDER) {
        return Ok(query.to_owned());
    }
    let mut out = String::with_capacity(query.len() + 16);
    let mut rest = query;
    let mut replaced = 0;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        let inside = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        if !inside.contains(':') && parse_duration(inside.trim()).is_some() {
            out.push('[');
            out.push_str(WINDOW_PLACEHOLDER);
            out.push(']');
            replaced += 1;
        } else {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if replaced > 0 {
        return Ok(out);
    }
    if query.contains('(') {
        return Err(format!(
            "query “{query}” has no range to evaluate over the SLO windows; write it with \
             rate(…[{WINDOW_PLACEHOLDER}])"
        ));
    }
    // A bare selector: OpenSLO's `counter: true` asks the tool to take the rate itself; a gauge
    // selector cannot be turned into event counts.
    if !counter {
        return Err(format!(
            "query “{query}” is a plain selector and counter is false; only counters can be \
             turned into event rates"
        ));
    }
    Ok(format!("sum(rate({query}[{WINDOW_PLACEHOLDER}]))"))
}
