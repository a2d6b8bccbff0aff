//! Every PromQL function and aggregation operator with its arguments and a one-line doc, for
//! completion and signature help.
//!
//! promql-parser 0.11 keeps its function table private (only `parse` sees it), so the names,
//! argument types, variadic counts and return types here are checked against it by a test that
//! parses a call of every function and compares the parser's `Function` with this table.

/// The type of a PromQL value, as the Prometheus documentation names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    InstantVector,
    RangeVector,
    Scalar,
    String,
}

impl ValueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InstantVector => "instant-vector",
            Self::RangeVector => "range-vector",
            Self::Scalar => "scalar",
            Self::String => "string",
        }
    }
}

/// One argument of a function: a name for signature help and its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: &'static str,
    pub kind: ValueKind,
}

/// A PromQL function or aggregation operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionDoc {
    pub name: &'static str,
    pub args: &'static [Arg],
    /// As Prometheus counts it: 0 = exactly `args`; n > 0 = the last argument is optional and
    /// there may be up to n of it; -1 = the last argument repeats without limit.
    pub variadic: i8,
    pub returns: ValueKind,
    /// Needs `--enable-feature=promql-experimental-functions` on the server.
    pub experimental: bool,
    pub doc: &'static str,
}

impl FunctionDoc {
    /// `histogram_quantile(φ scalar, b instant-vector) → instant-vector`; optional arguments in
    /// brackets, repeated ones with an ellipsis.
    pub fn signature(&self) -> String {
        let mut out = format!("{}(", self.name);
        let last = self.args.len().saturating_sub(1);
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let text = format!("{} {}", arg.name, arg.kind.as_str());
            match self.variadic {
                v if i == last && v > 0 => out.push_str(&format!("[{text}]")),
                v if i == last && v < 0 => out.push_str(&format!("{text}...")),
                _ => out.push_str(&text),
            }
        }
        out.push_str(") → ");
        out.push_str(self.returns.as_str());
        out
    }
}

use ValueKind::{InstantVector as V, RangeVector as M, Scalar as S, String as T};

const fn a(name: &'static str, kind: ValueKind) -> Arg {
    Arg { name, kind }
}

const fn f(
    name: &'static str,
    args: &'static [Arg],
    variadic: i8,
    returns: ValueKind,
    experimental: bool,
    doc: &'static str,
) -> FunctionDoc {
    FunctionDoc {
        name,
        args,
        variadic,
        returns,
        experimental,
        doc,
    }
}

const VEC: &[Arg] = &[a("v", V)];
const RANGE: &[Arg] = &[a("v", M)];
const NONE: &[Arg] = &[];

/// Every function promql-parser 0.11 knows, sorted by name.
#[rustfmt::skip] // One line per function reads as a table.
pub const FUNCTIONS: &[FunctionDoc] = &[
    f("abs", VEC, 0, V, false, "Absolute value of every sample."),
    f("absent", VEC, 0, V, false, "1-element vector with value 1 if the vector has no elements, empty otherwise; for alerting on missing series."),
    f("absent_over_time", RANGE, 0, V, false, "1-element vector with value 1 if the range vector has no samples, empty otherwise."),
    f("acos", VEC, 0, V, false, "Arccosine of every sample."),
    f("acosh", VEC, 0, V, false, "Inverse hyperbolic cosine of every sample."),
    f("asin", VEC, 0, V, false, "Arcsine of every sample."),
    f("asinh", VEC, 0, V, false, "Inverse hyperbolic sine of every sample."),
    f("atan", VEC, 0, V, false, "Arctangent of every sample."),
    f("atanh", VEC, 0, V, false, "Inverse hyperbolic tangent of every sample."),
    f("avg_over_time", RANGE, 0, V, false, "Average of all samples in the range, per series."),
    f("ceil", VEC, 0, V, false, "Rounds every sample up to the nearest integer."),
    f("changes", RANGE, 0, V, false, "How many times the value changed within the range, per series."),
    f("clamp", &[a("v", V), a("min", S), a("max", S)], 0, V, false, "Clamps every sample to [min, max]."),
    f("clamp_max", &[a("v", V), a("max", S)], 0, V, false, "Clamps every sample to at most max."),
    f("clamp_min", &[a("v", V), a("min", S)], 0, V, false, "Clamps every sample to at least min."),
    f("cos", VEC, 0, V, false, "Cosine of every sample (radians)."),
    f("cosh", VEC, 0, V, false, "Hyperbolic cosine of every sample."),
    f("count_over_time", RANGE, 0, V, false, "Number of samples in the range, per series."),
    f("day_of_month", VEC, 1, V, false, "Day of the month (1–31) of each sample's value as a UTC timestamp; of now without argument."),
    f("day_of_week", VEC, 1, V, false, "Day of the week (0 = Sunday) of each timestamp in UTC; of now without argument."),
    f("day_of_year", VEC, 1, V, false, "Day of the year (1–366) of each timestamp in UTC; of now without argument."),
    f("days_in_month", VEC, 1, V, false, "Number of days in the month of each timestamp in UTC; of now without argument."),
    f("deg", VEC, 0, V, false, "Converts radians to degrees."),
    f("delta", RANGE, 0, V, false, "Difference between the first and last value in the range, extrapolated; for gauges."),
    f("deriv", RANGE, 0, V, false, "Per-second derivative by simple linear regression; for gauges."),
    f("double_exponential_smoothing", &[a("v", M), a("sf", S), a("tf", S)], 0, V, true, "Smoothed value by double exponential smoothing with smoothing factor sf and trend factor tf (formerly holt_winters)."),
    f("end", NONE, 0, S, true, "End time of the range query, as a scalar."),
    f("exp", VEC, 0, V, false, "Exponential function of every sample."),
    f("first_over_time", RANGE, 0, V, false, "Oldest sample in the range, per series."),
    f("floor", VEC, 0, V, false, "Rounds every sample down to the nearest integer."),
    f("histogram_avg", VEC, 0, V, false, "Arithmetic average of the observed values in each native histogram."),
    f("histogram_count", VEC, 0, V, false, "Count of observations in each native histogram."),
    f("histogram_fraction", &[a("lower", S), a("upper", S), a("b", V)], 0, V, false, "Estimated fraction of observations between lower and upper in each native histogram."),
    f("histogram_quantile", &[a("φ", S), a("b", V)], 0, V, false, "φ-quantile (0 ≤ φ ≤ 1) from classic buckets (`le` label) or native histograms; use with rate()."),
    f("histogram_quantiles", &[a("v", V), a("label", T), a("φ", S), a("φ", S)], 9, V, true, "Several quantiles at once, each in its own series distinguished by the given label."),
    f("histogram_stddev", VEC, 0, V, false, "Estimated standard deviation of the observations in each native histogram."),
    f("histogram_stdvar", VEC, 0, V, false, "Estimated standard variance of the observations in each native histogram."),
    f("histogram_sum", VEC, 0, V, false, "Sum of observations in each native histogram."),
    f("hour", VEC, 1, V, false, "Hour of the day (0–23) of each timestamp in UTC; of now without argument."),
    f("idelta", RANGE, 0, V, false, "Difference between the last two samples in the range; for gauges."),
    f("increase", RANGE, 0, V, false, "Increase of a counter over the range, adjusted for resets and extrapolated to the edges."),
    f("info", &[a("v", V), a("data-label-selector", V)], 1, V, true, "Adds labels of matching info series (target_info by default) to each series."),
    f("integral", &[a("v", M), a("unit", S)], 1, V, true, "Integral of the samples over the range (trapezoidal rule)."),
    f("irate", RANGE, 0, V, false, "Per-second rate from the last two samples in the range; for fast-moving counters."),
    f("label_join", &[a("v", V), a("dst_label", T), a("separator", T), a("src_label", T)], -1, V, false, "Joins the values of the source labels with the separator into dst_label."),
    f("label_replace", &[a("v", V), a("dst_label", T), a("replacement", T), a("src_label", T), a("regex", T)], 0, V, false, "Sets dst_label to replacement ($1, $2 from regex) when regex matches src_label's value."),
    f("last_over_time", RANGE, 0, V, false, "Most recent sample in the range, per series."),
    f("ln", VEC, 0, V, false, "Natural logarithm of every sample."),
    f("log10", VEC, 0, V, false, "Decimal logarithm of every sample."),
    f("log2", VEC, 0, V, false, "Binary logarithm of every sample."),
    f("mad_over_time", RANGE, 0, V, true, "Median absolute deviation of the samples in the range, per series."),
    f("max_of", &[a("a", S), a("b", S)], 0, S, true, "The larger of two scalars."),
    f("max_over_time", RANGE, 0, V, false, "Maximum of the samples in the range, per series."),
    f("min_of", &[a("a", S), a("b", S)], 0, S, true, "The smaller of two scalars."),
    f("min_over_time", RANGE, 0, V, false, "Minimum of the samples in the range, per series."),
    f("minute", VEC, 1, V, false, "Minute of the hour (0–59) of each timestamp in UTC; of now without argument."),
    f("month", VEC, 1, V, false, "Month of the year (1–12) of each timestamp in UTC; of now without argument."),
    f("pi", NONE, 0, S, false, "The number π."),
    f("predict_linear", &[a("v", M), a("t", S)], 0, V, false, "Predicted value t seconds from now by linear regression over the range; for gauges."),
    f("present_over_time", RANGE, 0, V, false, "Value 1 for every series with any sample in the range."),
    f("quantile_over_time", &[a("φ", S), a("v", M)], 0, V, false, "φ-quantile (0 ≤ φ ≤ 1) of the samples in the range, per series."),
    f("rad", VEC, 0, V, false, "Converts degrees to radians."),
    f("range", NONE, 0, S, true, "Length of the range query (end − start), as a scalar."),
    f("rate", RANGE, 0, V, false, "Per-second average rate of increase of a counter over the range, adjusted for resets."),
    f("resets", RANGE, 0, V, false, "Number of counter resets within the range, per series."),
    f("round", &[a("v", V), a("to_nearest", S)], 1, V, false, "Rounds every sample to the nearest integer, or to the nearest multiple of to_nearest."),
    f("scalar", VEC, 0, S, false, "The value of a single-element vector as a scalar; NaN otherwise."),
    f("sgn", VEC, 0, V, false, "Sign of every sample: 1, -1 or 0."),
    f("sin", VEC, 0, V, false, "Sine of every sample (radians)."),
    f("sinh", VEC, 0, V, false, "Hyperbolic sine of every sample."),
    f("sort", VEC, 0, V, false, "Sorts the series by value, ascending (instant queries only)."),
    f("sort_by_label", &[a("v", V), a("label", T)], -1, V, true, "Sorts the series by the given labels' values, ascending (instant queries only)."),
    f("sort_by_label_desc", &[a("v", V), a("label", T)], -1, V, true, "Sorts the series by the given labels' values, descending (instant queries only)."),
    f("sort_desc", VEC, 0, V, false, "Sorts the series by value, descending (instant queries only)."),
    f("sqrt", VEC, 0, V, false, "Square root of every sample."),
    f("start", NONE, 0, S, true, "Start time of the range query, as a scalar."),
    f("start_timestamp", VEC, 0, V, true, "Start (creation) timestamp of each series' samples, where the server stores it."),
    f("stddev_over_time", RANGE, 0, V, false, "Population standard deviation of the samples in the range, per series."),
    f("stdvar_over_time", RANGE, 0, V, false, "Population standard variance of the samples in the range, per series."),
    f("step", NONE, 0, S, true, "Step of the range query in seconds, as a scalar."),
    f("sum_over_time", RANGE, 0, V, false, "Sum of the samples in the range, per series."),
    f("tan", VEC, 0, V, false, "Tangent of every sample (radians)."),
    f("tanh", VEC, 0, V, false, "Hyperbolic tangent of every sample."),
    f("time", NONE, 0, S, false, "Evaluation time in seconds since the Unix epoch."),
    f("timestamp", VEC, 0, V, false, "Timestamp of each sample in seconds since the Unix epoch."),
    f("ts_of_first_over_time", RANGE, 0, V, true, "Timestamp of the oldest sample in the range, per series."),
    f("ts_of_last_over_time", RANGE, 0, V, true, "Timestamp of the most recent sample in the range, per series."),
    f("ts_of_max_over_time", RANGE, 0, V, true, "Timestamp of the maximum sample in the range, per series."),
    f("ts_of_min_over_time", RANGE, 0, V, true, "Timestamp of the minimum sample in the range, per series."),
    f("vector", &[a("s", S)], 0, V, false, "The scalar as a vector with no labels."),
    f("year", VEC, 1, V, false, "Year of each timestamp in UTC; of now without argument."),
];

/// Aggregation operators, which also take `by (…)` or `without (…)`.
#[rustfmt::skip] // One line per function reads as a table.
pub const AGGREGATIONS: &[FunctionDoc] = &[
    f("avg", VEC, 0, V, false, "Average over dimensions."),
    f("bottomk", &[a("k", S), a("v", V)], 0, V, false, "Smallest k elements by sample value."),
    f("count", VEC, 0, V, false, "Number of elements in the vector."),
    f("count_values", &[a("label", T), a("v", V)], 0, V, false, "Number of elements with the same value, the value going into the given label."),
    f("group", VEC, 0, V, false, "1 for every group (all values become 1)."),
    f("limit_ratio", &[a("ratio", S), a("v", V)], 0, V, true, "A deterministic pseudo-random sample of about ratio of the series."),
    f("limitk", &[a("k", S), a("v", V)], 0, V, true, "k series picked deterministically, with their values unchanged."),
    f("max", VEC, 0, V, false, "Maximum over dimensions."),
    f("min", VEC, 0, V, false, "Minimum over dimensions."),
    f("quantile", &[a("φ", S), a("v", V)], 0, V, false, "φ-quantile (0 ≤ φ ≤ 1) over dimensions."),
    f("stddev", VEC, 0, V, false, "Population standard deviation over dimensions."),
    f("stdvar", VEC, 0, V, false, "Population standard variance over dimensions."),
    f("sum", VEC, 0, V, false, "Sum over dimensions."),
    f("topk", &[a("k", S), a("v", V)], 0, V, false, "Largest k elements by sample value."),
];

/// The function or aggregation called `name`.
pub fn lookup(name: &str) -> Option<&'static FunctionDoc> {
    FUNCTIONS
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .map(|i| &FUNCTIONS[i])
        .or_else(|| AGGREGATIONS.iter().find(|f| f.name == name))
}

pub fn is_aggregation(name: &str) -> bool {
    AGGREGATIONS.iter().any(|f| f.name == name)
}

pub fn is_function(name: &str) -> bool {
    FUNCTIONS.binary_search_by(|f| f.name.cmp(name)).is_ok()
}
