//! Metric series: a label set with columnar timestamps and values, and native histogram
//! series stored the same columnar way (one flat bucket array per series).

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

/// Which ends of a native histogram bucket belong to it (Prometheus' `boundary_rule`, 0–3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BoundaryRule {
    /// `(lower, upper]`: positive buckets.
    #[default]
    OpenLeft,
    /// `[lower, upper)`: negative buckets.
    OpenRight,
    /// `(lower, upper)`.
    OpenBoth,
    /// `[lower, upper]`: the zero bucket.
    ClosedBoth,
}

impl BoundaryRule {
    /// The rule for Prometheus' numeric code, `None` outside 0–3.
    pub fn from_code(code: u64) -> Option<Self> {
        match code {
            0 => Some(Self::OpenLeft),
            1 => Some(Self::OpenRight),
            2 => Some(Self::OpenBoth),
            3 => Some(Self::ClosedBoth),
            _ => None,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Self::OpenLeft => 0,
            Self::OpenRight => 1,
            Self::OpenBoth => 2,
            Self::ClosedBoth => 3,
        }
    }
}

/// One bucket of a native histogram: observations between `lower` and `upper` (not cumulative).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HistogramBucket {
    pub lower: f64,
    pub upper: f64,
    pub count: f64,
    pub rule: BoundaryRule,
}

/// One native histogram sample, borrowed from a [`HistogramSeries`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NativeHistogram<'a> {
    /// Count of observations (may exceed the bucket total by observations of NaN).
    pub count: f64,
    pub sum: f64,
    /// Buckets in the order the server sent them (ascending bounds).
    pub buckets: &'a [HistogramBucket],
}

/// A series of native histogram samples, stored as columns: sample `i` owns
/// `buckets[bucket_starts[i]..bucket_starts[i + 1]]`, so a million buckets are one allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSeries {
    pub labels: Labels,
    /// Unix seconds, one per sample.
    pub timestamps: Vec<f64>,
    pub counts: Vec<f64>,
    pub sums: Vec<f64>,
    /// `len() + 1` offsets into `buckets`; starts with 0.
    pub bucket_starts: Vec<u32>,
    pub buckets: Vec<HistogramBucket>,
}

impl Default for HistogramSeries {
    fn default() -> Self {
        Self::new(Labels::default())
    }
}

impl HistogramSeries {
    pub fn new(labels: Labels) -> Self {
        Self {
            labels,
            timestamps: Vec::new(),
            counts: Vec::new(),
            sums: Vec::new(),
            bucket_starts: vec![0],
            buckets: Vec::new(),
        }
    }

    /// Appends one sample whose buckets are `buckets`.
    pub fn push(&mut self, timestamp: f64, count: f64, sum: f64, buckets: &[HistogramBucket]) {
        self.buckets.extend_from_slice(buckets);
        self.finish_sample(timestamp, count, sum);
    }

    /// Appends one sample whose buckets were already pushed onto `self.buckets`.
    pub fn finish_sample(&mut self, timestamp: f64, count: f64, sum: f64) {
        self.timestamps.push(timestamp);
        self.counts.push(count);
        self.sums.push(sum);
        // A u32 offset holds 4 billion buckets, far beyond any response size cap.
        self.bucket_starts
            .push(u32::try_from(self.buckets.len()).unwrap_or(u32::MAX));
    }

    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Sample `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<NativeHistogram<'_>> {
        let start = *self.bucket_starts.get(i)? as usize;
        let end = *self.bucket_starts.get(i + 1)? as usize;
        Some(NativeHistogram {
            count: self.counts[i],
            sum: self.sums[i],
            buckets: self.buckets.get(start..end)?,
        })
    }

    /// Every sample with its timestamp, in order.
    pub fn iter(&self) -> impl Iterator<Item = (f64, NativeHistogram<'_>)> {
        (0..self.len()).filter_map(|i| Some((self.timestamps[i], self.get(i)?)))
    }
}

/// The answer to one query: the series and whatever the server said beside them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    pub series: Vec<Series>,
    /// Native histogram samples. A series that has both floats and histograms appears in
    /// both lists with the same labels.
    pub histograms: Vec<HistogramSeries>,
    /// Server warnings (Prometheus `warnings`) and our own notes about data we could not show.
    pub warnings: Vec<String>,
    /// Server informational notices (Prometheus 3 `infos`).
    pub infos: Vec<String>,
}

impl QueryResult {
    /// Float samples; histogram samples are counted by [`QueryResult::histogram_count`].
    pub fn point_count(&self) -> usize {
        self.series.iter().map(Series::len).sum()
    }

    pub fn histogram_count(&self) -> usize {
        self.histograms.iter().map(HistogramSeries::len).sum()
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
