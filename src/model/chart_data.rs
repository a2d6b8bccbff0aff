//! What a metrics chart draws: the series of all a panel's queries, named by their legend
//! format and summarised, moved out of the query results so nothing is copied.

use super::ids::TraceId;
use super::series::Labels;

/// Min, max, mean and last of a series' finite values (NaN when it has none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesStats {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub last: f64,
    /// Finite values counted.
    pub count: usize,
}

impl Default for SeriesStats {
    fn default() -> Self {
        Self {
            min: f64::NAN,
            max: f64::NAN,
            mean: f64::NAN,
            last: f64::NAN,
            count: 0,
        }
    }
}

/// One drawn series.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSeries {
    /// Index of the panel query (A = 0) that returned it.
    pub query: usize,
    /// The legend text: the query's legend format applied, or the label set.
    pub name: String,
    pub labels: Labels,
    pub timestamps: Vec<f64>,
    pub values: Vec<f64>,
    /// The query's step, to break lines where samples are missing.
    pub step: f64,
    pub stats: SeriesStats,
}

/// Every series a panel's chart draws, over one range.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartData {
    /// Distinct per result, so views can cache what they derive from it.
    pub id: u64,
    /// Unix seconds.
    pub start: f64,
    pub end: f64,
    pub series: Vec<ChartSeries>,
    /// Series the queries returned, drawn or not: more than `series.len()` when the panel's
    /// series cap cut the rest.
    pub total_series: usize,
    /// Exemplars of the range queries over the range, drawn as points.
    pub exemplars: Vec<ChartExemplar>,
}

/// One exemplar: a sample that links to the trace that produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartExemplar {
    /// Unix seconds.
    pub time: f64,
    pub value: f64,
    /// The series it belongs to, as Prometheus prints it.
    pub series: String,
    /// Its own labels (`trace_id`, `span_id`…).
    pub labels: Labels,
    pub trace_id: Option<TraceId>,
}

impl ChartData {
    pub fn point_count(&self) -> usize {
        self.series.iter().map(|s| s.timestamps.len()).sum()
    }

    /// The smallest step of any series (the finest time resolution drawn).
    pub fn step(&self) -> f64 {
        self.series
            .iter()
            .map(|s| s.step)
            .filter(|s| *s > 0.0)
            .fold(f64::INFINITY, f64::min)
    }
}
