//! A metrics panel as saved: its queries (A, B, C…) and how its chart draws them.

use super::ConnectionId;
use serde::{Deserialize, Serialize};

/// Prometheus' own UI caps a graph at 10,000 series; we draw fewer by default and say so.
pub const DEFAULT_SERIES_CAP: usize = 2_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "MetricsPanelFile")]
pub struct MetricsPanel {
    pub connection: Option<ConnectionId>,
    /// Never empty: a panel has at least query A.
    pub queries: Vec<MetricQuery>,
    pub chart: ChartOptions,
    /// At most this many series are drawn; the panel says how many more there were.
    pub series_cap: usize,
}

impl Default for MetricsPanel {
    fn default() -> Self {
        Self::new(None, "")
    }
}

impl MetricsPanel {
    pub fn new(connection: Option<ConnectionId>, expr: &str) -> Self {
        Self {
            connection,
            queries: vec![MetricQuery::new(expr)],
            chart: ChartOptions::default(),
            series_cap: DEFAULT_SERIES_CAP,
        }
    }

    /// Query A, which every panel has.
    pub fn first_query(&self) -> &str {
        self.queries.first().map_or("", |q| q.expr.as_str())
    }

    /// The letter naming query `index`: A, B, … Z, AA, AB…
    pub fn letter(index: usize) -> String {
        let mut n = index;
        let mut letters = Vec::new();
        loop {
            letters.push(b'A' + (n % 26) as u8);
            if n < 26 {
                break;
            }
            n = n / 26 - 1;
        }
        letters.reverse();
        String::from_utf8(letters).unwrap_or_default()
    }
}

/// One query of a panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricQuery {
    /// PromQL.
    pub expr: String,
    /// Series names such as `{{job}} {{instance}}`; empty shows the whole label set.
    pub legend: String,
    /// Lower bound of the step in seconds; 0 lets the panel width decide.
    pub min_step_secs: f64,
    /// An instant query at the range's end, shown as a table, instead of a range query.
    pub instant: bool,
    /// Kept in the panel but not run.
    pub disabled: bool,
}

impl Default for MetricQuery {
    fn default() -> Self {
        Self::new("")
    }
}

impl MetricQuery {
    pub fn new(expr: &str) -> Self {
        Self {
            expr: expr.to_owned(),
            legend: String::new(),
            min_step_secs: 0.0,
            instant: false,
            disabled: false,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartKind {
    #[default]
    Lines,
    StackedArea,
    Bars,
    /// Histogram buckets (`le`) over time as colored cells.
    Heatmap,
}

impl ChartKind {
    pub const ALL: &[ChartKind] = &[
        ChartKind::Lines,
        ChartKind::StackedArea,
        ChartKind::Bars,
        ChartKind::Heatmap,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Lines => "Lines",
            Self::StackedArea => "Stacked areas",
            Self::Bars => "Bars",
            Self::Heatmap => "Heatmap",
        }
    }
}

/// What the values measure, for axis labels and the legend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    #[default]
    None,
    /// Bytes, with binary prefixes (KiB, MiB…).
    Bytes,
    Seconds,
    /// A ratio 0–1 shown as 0–100 %.
    PercentUnit,
    /// Already 0–100.
    Percent,
    OpsPerSecond,
}

impl Unit {
    pub const ALL: &[Unit] = &[
        Unit::None,
        Unit::Bytes,
        Unit::Seconds,
        Unit::PercentUnit,
        Unit::Percent,
        Unit::OpsPerSecond,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Bytes => "bytes",
            Self::Seconds => "seconds",
            Self::PercentUnit => "percent (0-1)",
            Self::Percent => "percent (0-100)",
            Self::OpsPerSecond => "ops/s",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChartOptions {
    pub kind: ChartKind,
    pub unit: Unit,
    /// Logarithmic y axis (base 10); values ≤ 0 are left out and counted.
    pub log_scale: bool,
}

/// The saved form, which also reads version-1 files whose panels had one `query` string.
/// Named like the panel: RON files may carry struct names, and they say `MetricsPanel`.
#[derive(Deserialize)]
#[serde(default, rename = "MetricsPanel")]
struct MetricsPanelFile {
    connection: Option<ConnectionId>,
    /// Version 1's single query.
    query: String,
    queries: Vec<MetricQuery>,
    chart: ChartOptions,
    series_cap: usize,
}

impl Default for MetricsPanelFile {
    fn default() -> Self {
        Self {
            connection: None,
            query: String::new(),
            queries: Vec::new(),
            chart: ChartOptions::default(),
            series_cap: DEFAULT_SERIES_CAP,
        }
    }
}

impl From<MetricsPanelFile> for MetricsPanel {
    fn from(file: MetricsPanelFile) -> Self {
        let mut queries = file.queries;
        if !file.query.is_empty() {
            queries.insert(0, MetricQuery::new(&file.query));
        }
        if queries.is_empty() {
            queries.push(MetricQuery::default());
        }
        Self {
            connection: file.connection,
            queries,
            chart: file.chart,
            series_cap: file.series_cap.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_run_past_z() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(MetricsPanel::letter)
            .collect();
        assert_eq!(
            names,
            ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"].map(String::from)
        );
    }

    #[test]
    fn version_one_panels_become_query_a() {
        let old: MetricsPanel =
            ron::from_str(r#"(connection: Some(ConnectionId(3)), query: "up")"#).unwrap();
        assert_eq!(old.connection, Some(ConnectionId(3)));
        assert_eq!(old.queries, vec![MetricQuery::new("up")]);
        assert_eq!(old.series_cap, DEFAULT_SERIES_CAP);
        let empty: MetricsPanel = ron::from_str("()").unwrap();
        assert_eq!(empty.queries.len(), 1);
    }

    #[test]
    fn saved_panels_read_back_unchanged() {
        let mut panel = MetricsPanel::new(Some(ConnectionId(1)), "rate(x[5m])");
        panel.queries.push(MetricQuery {
            legend: "{{job}}".into(),
            min_step_secs: 30.0,
            instant: true,
            ..MetricQuery::new("up")
        });
        panel.chart = ChartOptions {
            kind: ChartKind::StackedArea,
            unit: Unit::Bytes,
            log_scale: true,
        };
        panel.series_cap = 50;
        let text = ron::to_string(&panel).unwrap();
        assert!(!text.contains("query:"), "{text}");
        assert_eq!(ron::from_str::<MetricsPanel>(&text).unwrap(), panel);
        // As the workspace file writes it: with struct names.
        let named = ron::Options::default()
            .to_string_pretty(&panel, ron::ser::PrettyConfig::default().struct_names(true))
            .unwrap();
        assert!(named.starts_with("MetricsPanel("), "{named}");
        assert_eq!(ron::from_str::<MetricsPanel>(&named).unwrap(), panel);
    }
}
