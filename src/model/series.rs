//! Metric series: a label set with columnar timestamps and values.

use std::fmt;

/// A sorted set of label pairs, as Prometheus returns them (sorted by name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    /// Builds a label set, sorting by label name so equal sets compare equal.
    pub fn new(mut pairs: Vec<(String, String)>) -> Self {
        pairs.sort();
        Self(pairs)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The metric name (`__name__`), if the series still has one.
    pub fn metric_name(&self) -> Option<&str> {
        self.get("__name__")
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Formats as PromQL would print the series: `name{a="1", b="2"}`; `{}` for no labels.
impl fmt::Display for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.metric_name() {
            f.write_str(name)?;
        }
        let mut rest = self.0.iter().filter(|(k, _)| k != "__name__").peekable();
        if rest.peek().is_none() && self.metric_name().is_some() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, (k, v)) in rest.enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{k}=\"{}\"", v.escape_default())?;
        }
        f.write_str("}")
    }
}

/// One time series: timestamps in Unix seconds and values, as two parallel columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub timestamps: Vec<f64>,
    pub values: Vec<f64>,
}

impl Series {
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }
}

/// The answer to one query: the series and whatever the server said beside them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    pub series: Vec<Series>,
    /// Server warnings (Prometheus `warnings`) and our own notes about data we could not show.
    pub warnings: Vec<String>,
    /// Server informational notices (Prometheus 3 `infos`).
    pub infos: Vec<String>,
}

impl QueryResult {
    pub fn point_count(&self) -> usize {
        self.series.iter().map(Series::len).sum()
    }
}

/// A finished range query: what was asked, what came back, and what it cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryRun {
    /// Distinct for every run in this process, so views can cache what they derive from it.
    pub id: u64,
    /// The evaluated range, Unix seconds.
    pub start: f64,
    pub end: f64,
    /// Seconds between points.
    pub step: f64,
    pub result: QueryResult,
    /// Response body size.
    pub bytes: u64,
    /// Wall time from request to decoded result.
    pub elapsed: std::time::Duration,
}

impl QueryRun {
    /// A new value for [`QueryRun::id`].
    pub fn next_id() -> u64 {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        Labels::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn display_puts_metric_name_first_and_sorts_the_rest() {
        let l = labels(&[("job", "api"), ("__name__", "up"), ("instance", "a:1")]);
        assert_eq!(l.to_string(), r#"up{instance="a:1", job="api"}"#);
    }

    #[test]
    fn display_of_bare_name_and_of_empty_set() {
        assert_eq!(labels(&[("__name__", "up")]).to_string(), "up");
        assert_eq!(labels(&[]).to_string(), "{}");
    }

    #[test]
    fn display_escapes_quotes_in_values() {
        assert_eq!(labels(&[("a", "x\"y")]).to_string(), r#"{a="x\"y"}"#);
    }
}
