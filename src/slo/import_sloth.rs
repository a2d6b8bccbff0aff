//! Import of Sloth `prometheus/v1` specs and of Sloth's Kubernetes `PrometheusServiceLevel`
//! (same fields under `spec`, camelCase), one or several YAML documents per file: each
//! `slos[]` entry becomes an [`SloDefinition`]. Sloth objectives are percentages (99.9) and its
//! queries already use the `{{.window}}` placeholder we use. Sloth's SLO window is set outside
//! the spec (30 days unless configured), so imports get the 30-day default.

use super::ImportError;
use super::definition::{Sli, SloDefinition, SloWindow, WINDOW_PLACEHOLDER};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Spec {
    version: Option<String>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    /// The Kubernetes form's body.
    spec: Option<Box<Spec>>,
    service: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    slos: Vec<SpecSlo>,
}

#[derive(Deserialize)]
struct SpecSlo {
    name: Option<String>,
    objective: Option<f64>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    sli: Option<SpecSli>,
}

#[derive(Deserialize)]
struct SpecSli {
    events: Option<Events>,
    raw: Option<Raw>,
    plugin: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Events {
    #[serde(alias = "errorQuery")]
    error_query: Option<String>,
    #[serde(alias = "totalQuery")]
    total_query: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    // Sloth renamed the field; both spellings are in use.
    #[serde(alias = "errorRatioQuery")]
    error_ratio_query: Option<String>,
}

/// Reads every document of a Sloth spec file.
pub fn import_sloth(yaml: &str) -> Result<Vec<SloDefinition>, ImportError> {
    let docs: Vec<Spec> = serde_saphyr::from_multiple(yaml).map_err(|e| ImportError {
        document: 0,
        field: String::new(),
        message: format!("not a Sloth spec: {e}"),
    })?;
    let mut out = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        out.extend(document(i + 1, doc)?);
    }
    Ok(out)
}

fn document(document: usize, doc: Spec) -> Result<Vec<SloDefinition>, ImportError> {
    let err = |field: String, message: &str| ImportError {
        document,
        field,
        message: message.to_owned(),
    };
    let kubernetes = doc.kind.as_deref() == Some("PrometheusServiceLevel")
        && doc
            .api_version
            .as_deref()
            .is_some_and(|v| v.starts_with("sloth.slok.dev/"));
    let (doc, prefix) = match (kubernetes, doc.spec) {
        (true, Some(spec)) => (*spec, "spec."),
        (true, None) => return Err(err("spec".into(), "missing")),
        (false, _) if doc.version.is_none() && doc.api_version.is_some() => {
            return Err(err(
                "apiVersion".into(),
                "only Sloth's sloth.slok.dev PrometheusServiceLevel is supported",
            ));
        }
        (false, spec) => (Spec { spec, ..doc }, ""),
    };
    let err = |field: String, message: &str| err(format!("{prefix}{field}"), message);
    match doc.version.as_deref() {
        _ if kubernetes => {}
        Some("prometheus/v1") => {}
        Some(other) => {
            return Err(err(
                "version".into(),
                &format!("“{other}” is not supported; expected prometheus/v1"),
            ));
        }
        None => return Err(err("version".into(), "missing; expected prometheus/v1")),
    }
    let service = doc
        .service
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| err("service".into(), "missing"))?;
    if doc.slos.is_empty() {
        return Err(err("slos".into(), "no SLOs in this document"));
    }
    let mut out = Vec::new();
    for (j, slo) in doc.slos.into_iter().enumerate() {
        let field = |name: &str| format!("slos[{j}].{name}");
        let name = slo
            .name
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| err(field("name"), "missing"))?;
        let percent = slo
            .objective
            .ok_or_else(|| err(field("objective"), "missing"))?;
        if !(percent > 0.0 && percent <= 100.0) {
            return Err(err(
                field("objective"),
                &format!("{percent} is not a percentage in (0, 100]"),
            ));
        }
        let sli = slo.sli.ok_or_else(|| err(field("sli"), "missing"))?;
        let sli = match (sli.events, sli.raw, sli.plugin) {
            (Some(events), _, _) => Sli::BadOverTotal {
                bad: events
                    .error_query
                    .map(|q| normalized(&q))
                    .ok_or_else(|| err(field("sli.events.error_query"), "missing"))?,
                total: events
                    .total_query
                    .map(|q| normalized(&q))
                    .ok_or_else(|| err(field("sli.events.total_query"), "missing"))?,
            },
            (None, Some(raw), _) => Sli::ErrorRatio {
                query: raw
                    .error_ratio_query
                    .map(|q| normalized(&q))
                    .ok_or_else(|| err(field("sli.raw.error_ratio_query"), "missing"))?,
            },
            (None, None, Some(_)) => {
                return Err(err(
                    field("sli.plugin"),
                    "SLI plugins run inside Sloth and cannot be imported; use events or raw",
                ));
            }
            (None, None, None) => {
                return Err(err(field("sli"), "needs events or raw"));
            }
        };
        let mut labels = doc.labels.clone();
        labels.extend(slo.labels);
        let def = SloDefinition {
            name,
            service: service.clone(),
            sli,
            // 99.9 / 100 is 0.9990000000000001 in binary; rounding gives the 0.999 users wrote.
            objective: (percent * 1e10).round() / 1e12,
            window: SloWindow::default(),
            labels,
            description: slo.description,
        };
        def.validate()
            .map_err(|e| err(field(e.field), &e.message))?;
        out.push(def);
    }
    Ok(out)
}

/// Sloth templates are Go templates, where `{{ .window }}` is the same as `{{.window}}`.
fn normalized(query: &str) -> String {
    let mut out = query.to_owned();
    for spelling in ["{{ .window }}", "{{ .window}}", "{{.window }}"] {
        out = out.replace(spelling, WINDOW_PLACEHOLDER);
    }
    out
}
