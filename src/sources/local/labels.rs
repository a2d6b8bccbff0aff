//! Label names, label values and metric names of the Local store, answering what
//! `/api/v1/labels`, `/api/v1/label/<name>/values` and `/api/v1/metadata` answer for a
//! Prometheus server, so completion and the metric browser work on the Local source too.
//!
//! The store keeps every series' labels even after its samples are evicted, and keeps no OTLP
//! descriptions or units, so: results cover every series seen since start (no time range), and
//! metric kinds are read from the Prometheus-style series the store writes (`_bucket` with `le`
//! is a histogram, `quantile` a summary, `_total` a counter), with help and unit left empty.

use crate::model::Labels;
use crate::sources::SourceError;
use crate::sources::prometheus::metadata::{MetricKind, MetricMetadata};
use crate::store::LocalStore;
use promql_parser::label::Matchers;
use promql_parser::parser::{self, Expr};
use std::collections::{BTreeMap, BTreeSet};

/// Series selectors (`up`, `{job="api"}`, `http_requests_total{code=~"5.."}`); a series passes
/// when any of them matches, or always when there are none.
pub struct SeriesMatch {
    selectors: Vec<(Option<String>, Matchers)>,
}

impl SeriesMatch {
    pub fn parse(selectors: &[String]) -> Result<Self, SourceError> {
        let selectors = selectors
            .iter()
            .map(|text| match parser::parse(text) {
                Ok(Expr::VectorSelector(vs)) => Ok((vs.name, vs.matchers)),
                Ok(_) => Err(bad_data(format!("“{text}” is not a series selector"))),
                Err(e) => Err(bad_data(e)),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { selectors })
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.selectors.is_empty()
            || self.selectors.iter().any(|(name, matchers)| {
                let value = |n: &str| labels.get(n).unwrap_or("");
                name.as_deref()
                    .is_none_or(|n| labels.metric_name() == Some(n))
                    && matchers.matchers.iter().all(|m| m.is_match(value(&m.name)))
                    && (matchers.or_matchers.is_empty()
                        || matchers
                            .or_matchers
                            .iter()
                            .any(|group| group.iter().all(|m| m.is_match(value(&m.name)))))
            })
    }
}

fn bad_data(message: String) -> SourceError {
    SourceError::Query {
        url: "local store".into(),
        error_type: "bad_data".into(),
        message,
    }
}

/// Label names of the series matching `selectors`, sorted.
pub fn label_names(store: &LocalStore, selectors: &[String]) -> Result<Vec<String>, SourceError> {
    let filter = SeriesMatch::parse(selectors)?;
    Ok(store.with_metrics(|table| {
        let names: BTreeSet<&str> = table
            .series_labels()
            .filter(|l| filter.matches(l))
            .flat_map(|l| l.iter().map(|(k, _)| k))
            .collect();
        names.into_iter().map(str::to_owned).collect()
    }))
}

/// Values of label `name` among the series matching `selectors`, sorted.
pub fn label_values(
    store: &LocalStore,
    name: &str,
    selectors: &[String],
) -> Result<Vec<String>, SourceError> {
    let filter = SeriesMatch::parse(selectors)?;
    Ok(store.with_metrics(|table| {
        let values: BTreeSet<&str> = table
            .series_labels()
            .filter(|l| filter.matches(l))
            .filter_map(|l| l.get(name))
            .collect();
        values.into_iter().map(str::to_owned).collect()
    }))
}

/// Metric names (values of `__name__`), sorted.
pub fn metric_names(store: &LocalStore) -> Vec<String> {
    store.metric_names()
}

/// One entry per metric family, sorted by name, with the kind the stored series show.
pub fn metric_metadata(store: &LocalStore) -> Vec<MetricMetadata> {
    store.with_metrics(|table| {
        let mut families: BTreeMap<String, MetricKind> = BTreeMap::new();
        for labels in table.series_labels() {
            let Some(name) = labels.metric_name() else {
                continue;
            };
            let (family, kind) = family_of(name, labels);
            // A histogram's `_count` alone looks like an unknown metric; the bucket decides.
            let entry = families
                .entry(family.to_owned())
                .or_insert(MetricKind::Unknown);
            if *entry == MetricKind::Unknown {
                *entry = kind;
            }
        }
        // `x_sum` and `x_count` of a family already listed are not metrics of their own.
        let histogram_parts: Vec<String> = families
            .iter()
            .filter(|(_, k)| matches!(k, MetricKind::Histogram | MetricKind::Summary))
            .flat_map(|(n, _)| [format!("{n}_sum"), format!("{n}_count")])
            .collect();
        for part in histogram_parts {
            families.remove(&part);
        }
        families
            .into_iter()
            .map(|(name, kind)| MetricMetadata {
                name,
                kind,
                help: String::new(),
                unit: String::new(),
                variants: 1,
            })
            .collect()
    })
}

/// The family a stored series belongs to and the kind its shape shows.
fn family_of<'a>(name: &'a str, labels: &Labels) -> (&'a str, MetricKind) {
    if let Some(base) = name.strip_suffix("_bucket")
        && labels.get("le").is_some()
    {
        return (base, MetricKind::Histogram);
    }
    if labels.get("quantile").is_some() {
        return (name, MetricKind::Summary);
    }
    if name.ends_with("_total") {
        return (name, MetricKind::Counter);
    }
    (name, MetricKind::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        Labels::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn selectors_match_by_name_and_matchers_and_any_of_them_counts() {
        let m = SeriesMatch::parse(&[
            r#"http_requests_total{code=~"5.."}"#.into(),
            r#"{job="db"}"#.into(),
        ])
        .unwrap();
        assert!(m.matches(&labels(&[
            ("__name__", "http_requests_total"),
            ("code", "503")
        ])));
        assert!(!m.matches(&labels(&[
            ("__name__", "http_requests_total"),
            ("code", "200")
        ])));
        assert!(m.matches(&labels(&[("__name__", "x"), ("job", "db")])));
        assert!(!m.matches(&labels(&[("__name__", "x"), ("job", "api")])));
        assert!(
            SeriesMatch::parse(&[])
                .unwrap()
                .matches(&labels(&[("a", "b")]))
        );
    }

    #[test]
    fn non_selectors_are_refused_as_bad_data() {
        for text in ["rate(x[1m])", "x{", "1 + 1"] {
            let err = SeriesMatch::parse(&[text.into()]).err().unwrap();
            assert!(
                matches!(&err, SourceError::Query { error_type, .. } if error_type == "bad_data"),
                "{text}: {err:?}"
            );
        }
    }

    #[test]
    fn families_are_named_after_their_base() {
        let bucket = labels(&[("__name__", "d_bucket"), ("le", "1")]);
        assert_eq!(family_of("d_bucket", &bucket), ("d", MetricKind::Histogram));
        let q = labels(&[("__name__", "s"), ("quantile", "0.5")]);
        assert_eq!(family_of("s", &q), ("s", MetricKind::Summary));
        let plain = labels(&[("__name__", "c_total")]);
        assert_eq!(
            family_of("c_total", &plain),
            ("c_total", MetricKind::Counter)
        );
    }
}
