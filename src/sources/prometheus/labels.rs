//! Label names (`/api/v1/labels`), label values (`/api/v1/label/<name>/values`, where the
//! values of `__name__` are the metric names) and series (`/api/v1/series`): what the query
//! editor completes and the metric browser lists.

use super::envelope::{Reply, interpret_data};
use super::fmt_num;
use crate::fetch::Progress;
use crate::model::Labels;
use crate::sources::{HttpClient, SourceError};
use std::collections::BTreeMap;

/// Which series a label or series request looks at. Everything is optional for labels and
/// label values; `/api/v1/series` needs at least one matcher.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesFilter {
    /// Series selectors (`match[]`), e.g. `up{job="api"}`; a series passing any of them counts.
    pub matchers: Vec<String>,
    /// Unix seconds.
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// At most this many results (Prometheus 2.51+; older servers ignore it, so we cut too).
    pub limit: Option<usize>,
}

impl SeriesFilter {
    /// Only series matching `selector`.
    pub fn matching(selector: &str) -> Self {
        Self {
            matchers: vec![selector.to_owned()],
            ..Self::default()
        }
    }

    /// The same filter over `[start, end]`.
    pub fn between(mut self, start: f64, end: f64) -> Self {
        self.start = Some(start);
        self.end = Some(end);
        self
    }

    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params: Vec<(&'static str, String)> = self
            .matchers
            .iter()
            .map(|m| ("match[]", m.clone()))
            .collect();
        if let Some(start) = self.start {
            params.push(("start", fmt_num(start)));
        }
        if let Some(end) = self.end {
            params.push(("end", fmt_num(end)));
        }
        if let Some(limit) = self.limit {
            params.push(("limit", limit.to_string()));
        }
        params
    }

    /// Applies the limit ourselves for servers that ignore the parameter, and says so.
    fn cut<T>(&self, mut reply: Reply<Vec<T>>) -> Reply<Vec<T>> {
        if let Some(limit) = self.limit
            && reply.data.len() > limit
        {
            let total = reply.data.len();
            reply.data.truncate(limit);
            reply
                .warnings
                .push(format!("showing the first {limit} of {total} results"));
        }
        reply
    }
}

/// Label names of the series passing `filter`, sorted as the server sends them.
pub async fn label_names(
    http: &HttpClient,
    filter: &SeriesFilter,
    progress: &Progress,
) -> Result<Reply<Vec<String>>, SourceError> {
    let params = filter.params();
    let response = http
        .get("/api/v1/labels", &borrowed(&params), progress)
        .await?;
    interpret_data(response).map(|r| filter.cut(r))
}

/// Values of label `name` among the series passing `filter`.
pub async fn label_values(
    http: &HttpClient,
    name: &str,
    filter: &SeriesFilter,
    progress: &Progress,
) -> Result<Reply<Vec<String>>, SourceError> {
    if name.is_empty() {
        return Err(SourceError::Config("a label name is needed".into()));
    }
    let params = filter.params();
    let path = format!("/api/v1/label/{}/values", path_segment(name));
    let response = http.get(&path, &borrowed(&params), progress).await?;
    interpret_data(response).map(|r| filter.cut(r))
}

/// Metric names: the values of `__name__`.
pub async fn metric_names(
    http: &HttpClient,
    filter: &SeriesFilter,
    progress: &Progress,
) -> Result<Reply<Vec<String>>, SourceError> {
    label_values(http, "__name__", filter, progress).await
}

/// Label sets of the series passing `filter` (which needs at least one matcher).
pub async fn series(
    http: &HttpClient,
    filter: &SeriesFilter,
    progress: &Progress,
) -> Result<Reply<Vec<Labels>>, SourceError> {
    if filter.matchers.is_empty() {
        return Err(SourceError::Config(
            "a series request needs at least one selector".into(),
        ));
    }
    let params = filter.params();
    let response = http
        .get("/api/v1/series", &borrowed(&params), progress)
        .await?;
    let reply: Reply<Vec<BTreeMap<String, String>>> = interpret_data(response)?;
    // A BTreeMap arrives sorted, which is what `Labels` wants.
    Ok(filter.cut(reply.map(|sets| {
        sets.into_iter()
            .map(|set| Labels::new(set.into_iter().collect()))
            .collect()
    })))
}

pub(super) fn borrowed<'a>(params: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    params.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Percent-encodes a label name for use as one URL path segment (Prometheus 3 allows UTF-8
/// label names, and a `/` must not open a new segment).
fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_become_single_path_segments() {
        assert_eq!(path_segment("__name__"), "__name__");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(path_segment("é"), "%C3%A9");
    }

    #[test]
    fn filter_sends_every_matcher_and_the_range() {
        let filter = SeriesFilter {
            matchers: vec!["up".into(), "{job=\"a\"}".into()],
            start: Some(10.0),
            end: Some(20.5),
            limit: Some(3),
        };
        assert_eq!(
            filter.params(),
            [
                ("match[]", "up".to_owned()),
                ("match[]", "{job=\"a\"}".to_owned()),
                ("start", "10".to_owned()),
                ("end", "20.500".to_owned()),
                ("limit", "3".to_owned()),
            ]
        );
    }

    #[test]
    fn limit_is_applied_when_the_server_ignores_it_and_the_cut_is_counted() {
        let filter = SeriesFilter::default().with_limit(2);
        let reply = filter.cut(Reply {
            data: vec![1, 2, 3],
            ..Reply::default()
        });
        assert_eq!(reply.data, [1, 2]);
        assert_eq!(reply.warnings, ["showing the first 2 of 3 results"]);
    }
}
