//! A PromQL evaluator over the local store's metric series, for range queries.
//!
//! Covers what dashboards of OpenTelemetry RED metrics use: selectors with matchers,
//! `rate`/`increase`/`irate`/`*_over_time` over range selectors, `sum/avg/min/max/count by
//! (…)`/`without (…)`, `histogram_quantile`, `abs`, arithmetic and comparisons between
//! scalars and vectors (one-to-one matching, `on`/`ignoring`), and `or` (so that an error ratio
//! can read 0 rather than nothing while there are no errors). Parsing is `promql-parser`'s.
//! `rate`/`increase`/`delta` extrapolate to the window's edges as Prometheus does; anything
//! not listed is refused with a message naming it, never guessed.

use crate::model::{Labels, QueryResult, Series};
use crate::store::metrics::MetricTable;
use promql_parser::label::Matchers;
use promql_parser::parser::{self, Expr, LabelModifier};
use std::collections::BTreeMap;

/// How far back an instant selector looks for a sample, as in Prometheus.
const LOOKBACK_NS: u64 = 5 * 60 * 1_000_000_000;

/// The steps of a range query, in nanoseconds.
struct Steps {
    times: Vec<u64>,
}

enum Value {
    Scalar(Vec<f64>),
    /// Each series has one value per step; NaN where it has none.
    Vector(Vec<(Labels, Vec<f64>)>),
}

/// Evaluates `query` at every `step` seconds in `[start, end]` (Unix seconds).
pub fn eval_range(
    table: &MetricTable,
    query: &str,
    start: f64,
    end: f64,
    step: f64,
) -> Result<QueryResult, String> {
    let expr = parser::parse(query).map_err(|e| format!("parse error: {e}"))?;
    let step_ns = (step.max(0.001) * 1e9) as u64;
    let start_ns = (start.max(0.0) * 1e9) as u64;
    let end_ns = (end.max(0.0) * 1e9) as u64;
    let count = ((end_ns.saturating_sub(start_ns)) / step_ns) as usize + 1;
    if count > 11_000 {
        return Err(format!(
            "{count} points per series is more than the 11,000 allowed"
        ));
    }
    let steps = Steps {
        times: (0..count).map(|i| start_ns + i as u64 * step_ns).collect(),
    };
    let value = eval(table, &expr, &steps)?;
    let to_series = |labels: Labels, values: Vec<f64>| {
        let mut s = Series {
            labels,
            ..Series::default()
        };
        for (t, v) in steps.times.iter().zip(values) {
            if !v.is_nan() {
                s.timestamps.push(*t as f64 / 1e9);
                s.values.push(v);
            }
        }
        s
    };
    let series = match value {
        Value::Scalar(values) => vec![to_series(Labels::default(), values)],
        Value::Vector(vector) => vector
            .into_iter()
            .map(|(l, v)| to_series(l, v))
            .filter(|s| !s.is_empty())
            .collect(),
    };
    Ok(QueryResult {
        series,
        ..QueryResult::default()
    })
}

fn eval(table: &MetricTable, expr: &Expr, steps: &Steps) -> Result<Value, String> {
    match expr {
        Expr::NumberLiteral(n) => Ok(Value::Scalar(vec![n.val; steps.times.len()])),
        Expr::Paren(p) => eval(table, &p.expr, steps),
        Expr::Unary(u) => Ok(map_values(eval(table, &u.expr, steps)?, |v| -v)),
        Expr::VectorSelector(vs) => {
            let from = steps.times[0].saturating_sub(LOOKBACK_NS);
            let to = *steps.times.last().unwrap_or(&0);
            let selected = select(table, vs.name.as_deref(), &vs.matchers, from, to);
            Ok(Value::Vector(
                selected
                    .into_iter()
                    .map(|(labels, times, values)| {
                        let per_step = steps
                            .times
                            .iter()
                            .map(|&t| {
                                let i = times.partition_point(|&x| x <= t);
                                if i > 0 && t - times[i - 1] <= LOOKBACK_NS {
                                    values[i - 1]
                                } else {
                                    f64::NAN
                                }
                            })
                            .collect();
                        (labels, per_step)
                    })
                    .collect(),
            ))
        }
        Expr::MatrixSelector(_) => {
            Err("a range selector must be inside a function such as rate(…)".into())
        }
        Expr::Call(call) => eval_call(table, call, steps),
        Expr::Aggregate(agg) => {
            let op = agg.op.to_string();
            let Value::Vector(input) = eval(table, &agg.expr, steps)? else {
                return Err(format!("{op} needs a vector"));
            };
            aggregate(&op, input, agg.modifier.as_ref(), steps.times.len())
        }
        Expr::Binary(b) => {
            let op = b.op.to_string();
            let lhs = eval(table, &b.lhs, steps)?;
            let rhs = eval(table, &b.rhs, steps)?;
            if op == "or" {
                return union(lhs, rhs);
            }
            let return_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
            let matching = b.modifier.as_ref().and_then(|m| m.matching.as_ref());
            binary(&op, lhs, rhs, return_bool, matching)
        }
        Expr::StringLiteral(_) => Err("a string is not a value that can be charted".into()),
        Expr::Subquery(_) => Err("subqueries are not supported by the local store yet".into()),
        Expr::Extension(_) => Err("this expression is not supported by the local store".into()),
    }
}

type Selected = Vec<(Labels, Vec<u64>, Vec<f64>)>;

fn select(
    table: &MetricTable,
    name: Option<&str>,
    matchers: &Matchers,
    from: u64,
    to: u64,
) -> Selected {
    table
        .select(
            |labels| {
                name.is_none_or(|n| labels.metric_name() == Some(n))
                    && matchers
                        .matchers
                        .iter()
                        .all(|m| m.is_match(labels.get(&m.name).unwrap_or("")))
                    && (matchers.or_matchers.is_empty()
                        || matchers.or_matchers.iter().any(|group| {
                            group
                                .iter()
                                .all(|m| m.is_match(labels.get(&m.name).unwrap_or("")))
                        }))
            },
            from,
            to,
        )
        .into_iter()
        .map(|s| (s.labels.clone(), s.time_ns, s.value))
        .collect()
}

fn without_name(labels: &Labels) -> Labels {
    Labels::new(
        labels
            .iter()
            .filter(|(k, _)| *k != "__name__")
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
}

fn eval_call(table: &MetricTable, call: &parser::Call, steps: &Steps) -> Result<Value, String> {
    let name = call.func.name;
    let args = &call.args.args;
    match name {
        "rate" | "increase" | "irate" | "delta" | "avg_over_time" | "sum_over_time"
        | "min_over_time" | "max_over_time" | "count_over_time" | "last_over_time" => {
            let Some(Expr::MatrixSelector(ms)) = args.first().map(|a| a.as_ref()) else {
                return Err(format!("{name} needs a range selector such as metric[5m]"));
            };
            let range = ms.range.as_nanos() as u64;
            let from = steps.times[0].saturating_sub(range);
            let to = *steps.times.last().unwrap_or(&0);
            let selected = select(table, ms.vs.name.as_deref(), &ms.vs.matchers, from, to);
            let out = selected
                .into_iter()
                .map(|(labels, times, values)| {
                    let per_step = steps
                        .times
                        .iter()
                        .map(|&t| {
                            let lo = times.partition_point(|&x| x <= t.saturating_sub(range));
                            let hi = times.partition_point(|&x| x <= t);
                            let bounds = (t.saturating_sub(range), t);
                            window(name, &times[lo..hi], &values[lo..hi], bounds)
                        })
                        .collect();
                    (without_name(&labels), per_step)
                })
                .collect();
            Ok(Value::Vector(out))
        }
        "histogram_quantile" => {
            let q = match args.first().map(|a| eval(table, a, steps)).transpose()? {
                Some(Value::Scalar(q)) => q,
                _ => return Err("histogram_quantile needs a number first".into()),
            };
            let Some(Value::Vector(buckets)) =
                args.get(1).map(|a| eval(table, a, steps)).transpose()?
            else {
                return Err("histogram_quantile needs a vector of buckets".into());
            };
            Ok(Value::Vector(histogram_quantile(
                &q,
                buckets,
                steps.times.len(),
            )))
        }
        "abs" => match args.first().map(|a| eval(table, a, steps)).transpose()? {
            Some(v) => Ok(map_values(v, f64::abs)),
            None => Err("abs needs an argument".into()),
        },
        other => Err(format!(
            "function {other}() is not supported by the local store yet"
        )),
    }
}

/// One window's value of a `*_over_time`/rate-like function over the samples in
/// `(range_start, range_end]` (ns); NaN when it has too few samples.
fn window(func: &str, times: &[u64], values: &[f64], (range_start, range_end): (u64, u64)) -> f64 {
    let n = values.len();
    match func {
        "rate" | "increase" | "delta" => {
            if n < 2 {
                return f64::NAN;
            }
            extrapolated(func, times, values, range_start, range_end)
        }
        "irate" => {
            if n < 2 {
                return f64::NAN;
            }
            let (a, b) = (values[n - 2], values[n - 1]);
            let dt = (times[n - 1] - times[n - 2]) as f64 / 1e9;
            let inc = if b >= a { b - a } else { b };
            if dt > 0.0 { inc / dt } else { f64::NAN }
        }
        _ if n == 0 => f64::NAN,
        "avg_over_time" => values.iter().sum::<f64>() / n as f64,
        "sum_over_time" => values.iter().sum(),
        "min_over_time" => values.iter().copied().fold(f64::INFINITY, f64::min),
        "max_over_time" => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "count_over_time" => n as f64,
        _ => values[n - 1],
    }
}

/// Prometheus' `extrapolatedRate`: the change over the samples (counting through counter resets
/// for `rate`/`increase`), extrapolated towards the window's edges as Prometheus does, so the
/// Local source gives the numbers a Prometheus user expects.
fn extrapolated(
    func: &str,
    times: &[u64],
    values: &[f64],
    range_start: u64,
    range_end: u64,
) -> f64 {
    let n = values.len();
    let is_counter = func != "delta";
    let secs = |ns: u64| ns as f64 / 1e9;
    let mut result = values[n - 1] - values[0];
    if is_counter {
        let mut last = 0.0;
        for &v in values {
            if v < last {
                result += last;
            }
            last = v;
        }
    }
    let mut to_start = secs(times[0].saturating_sub(range_start));
    let to_end = secs(range_end.saturating_sub(times[n - 1]));
    let sampled = secs(times[n - 1] - times[0]);
    if sampled <= 0.0 {
        return f64::NAN;
    }
    let average_gap = sampled / (n - 1) as f64;
    if is_counter && result > 0.0 && values[0] >= 0.0 {
        // A counter does not go below zero: do not extrapolate past where it would reach it.
        to_start = to_start.min(sampled * (values[0] / result));
    }
    let threshold = average_gap * 1.1;
    let mut interval = sampled;
    interval += if to_start < threshold {
        to_start
    } else {
        average_gap / 2.0
    };
    interval += if to_end < threshold {
        to_end
    } else {
        average_gap / 2.0
    };
    result *= interval / sampled;
    if func == "rate" {
        result / secs(range_end - range_start)
    } else {
        result
    }
}

fn map_values(v: Value, f: impl Fn(f64) -> f64) -> Value {
    match v {
        Value::Scalar(s) => Value::Scalar(s.into_iter().map(&f).collect()),
        Value::Vector(vs) => Value::Vector(
            vs.into_iter()
                .map(|(l, vals)| (without_name(&l), vals.into_iter().map(&f).collect()))
                .collect(),
        ),
    }
}

/// The labels that identify a group under a `by`/`without`/`on`/`ignoring` modifier.
fn group_key(labels: &Labels, modifier: Option<&LabelModifier>) -> Labels {
    let keep = |k: &str| match modifier {
        Some(LabelModifier::Include(l)) => l.labels.iter().any(|x| x == k),
        Some(LabelModifier::Exclude(l)) => k != "__name__" && !l.labels.iter().any(|x| x == k),
        None => false,
    };
    Labels::new(
        labels
            .iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
}

fn aggregate(
    op: &str,
    input: Vec<(Labels, Vec<f64>)>,
    modifier: Option<&LabelModifier>,
    n: usize,
) -> Result<Value, String> {
    if !matches!(op, "sum" | "avg" | "min" | "max" | "count") {
        return Err(format!(
            "aggregation {op} is not supported by the local store yet"
        ));
    }
    let mut groups: BTreeMap<Labels, Vec<(f64, u32)>> = BTreeMap::new();
    for (labels, values) in input {
        let acc = groups
            .entry(group_key(&labels, modifier))
            .or_insert_with(|| vec![(f64::NAN, 0); n]);
        for (slot, v) in acc.iter_mut().zip(values) {
            if v.is_nan() {
                continue;
            }
            slot.0 = match (op, slot.1) {
                (_, 0) if op == "count" => 1.0,
                (_, 0) => v,
                ("sum" | "avg", _) => slot.0 + v,
                ("min", _) => slot.0.min(v),
                ("max", _) => slot.0.max(v),
                _ => slot.0 + 1.0,
            };
            slot.1 += 1;
        }
    }
    Ok(Value::Vector(
        groups
            .into_iter()
            .map(|(labels, acc)| {
                let values = acc
                    .into_iter()
                    .map(|(v, c)| match (op, c) {
                        (_, 0) => f64::NAN,
                        ("avg", c) => v / f64::from(c),
                        _ => v,
                    })
                    .collect();
                (labels, values)
            })
            .collect(),
    ))
}

fn apply(op: &str, a: f64, b: f64, return_bool: bool) -> Result<f64, String> {
    if a.is_nan() || b.is_nan() {
        return Ok(f64::NAN);
    }
    let cmp = |ok: bool| {
        if return_bool {
            f64::from(u8::from(ok))
        } else if ok {
            a
        } else {
            f64::NAN
        }
    };
    Ok(match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        "%" => a % b,
        "^" => a.powf(b),
        ">" => cmp(a > b),
        "<" => cmp(a < b),
        ">=" => cmp(a >= b),
        "<=" => cmp(a <= b),
        "==" => cmp(a == b),
        "!=" => cmp(a != b),
        other => {
            return Err(format!(
                "operator {other} is not supported by the local store yet"
            ));
        }
    })
}

fn zip(op: &str, a: &[f64], b: &[f64], return_bool: bool) -> Result<Vec<f64>, String> {
    a.iter()
        .zip(b)
        .map(|(x, y)| apply(op, *x, *y, return_bool))
        .collect()
}

fn binary(
    op: &str,
    lhs: Value,
    rhs: Value,
    return_bool: bool,
    matching: Option<&LabelModifier>,
) -> Result<Value, String> {
    Ok(match (lhs, rhs) {
        (Value::Scalar(a), Value::Scalar(b)) => Value::Scalar(zip(op, &a, &b, true)?),
        (Value::Vector(v), Value::Scalar(s)) => Value::Vector(
            v.into_iter()
                .map(|(l, vals)| Ok((without_name(&l), zip(op, &vals, &s, return_bool)?)))
                .collect::<Result<_, String>>()?,
        ),
        (Value::Scalar(s), Value::Vector(v)) => Value::Vector(
            v.into_iter()
                .map(|(l, vals)| Ok((without_name(&l), zip(op, &s, &vals, return_bool)?)))
                .collect::<Result<_, String>>()?,
        ),
        (Value::Vector(a), Value::Vector(b)) => {
            // One-to-one matching: by identical labels (without the name), or on/ignoring.
            let key = |l: &Labels| match matching {
                Some(m) => group_key(l, Some(m)),
                None => without_name(l),
            };
            let right: BTreeMap<Labels, Vec<f64>> =
                b.into_iter().map(|(l, v)| (key(&l), v)).collect();
            let mut out = Vec::new();
            for (l, vals) in a {
                if let Some(other) = right.get(&key(&l)) {
                    out.push((without_name(&l), zip(op, &vals, other, return_bool)?));
                }
            }
            Value::Vector(out)
        }
    })
}

/// `a or b`: every series of `a`, plus the series of `b` whose labels `a` lacks; where both
/// have a series, `b` fills the steps at which `a` has no value.
fn union(lhs: Value, rhs: Value) -> Result<Value, String> {
    let (Value::Vector(a), Value::Vector(b)) = (lhs, rhs) else {
        return Err("`or` needs vectors on both sides".into());
    };
    let mut out: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
    for (l, v) in a {
        out.insert(without_name(&l), v);
    }
    for (l, v) in b {
        let slot = out
            .entry(without_name(&l))
            .or_insert_with(|| vec![f64::NAN; v.len()]);
        for (x, y) in slot.iter_mut().zip(v) {
            if x.is_nan() {
                *x = y;
            }
        }
    }
    Ok(Value::Vector(out.into_iter().collect()))
}

/// Prometheus' `histogram_quantile`: linear interpolation within the bucket holding the rank.
fn histogram_quantile(
    q: &[f64],
    buckets: Vec<(Labels, Vec<f64>)>,
    n: usize,
) -> Vec<(Labels, Vec<f64>)> {
    let mut groups: BTreeMap<Labels, Vec<(f64, Vec<f64>)>> = BTreeMap::new();
    for (labels, values) in buckets {
        let Some(le) = labels
            .get("le")
            .and_then(crate::sources::prometheus::decode::parse_sample_value)
        else {
            continue;
        };
        let key = Labels::new(
            labels
                .iter()
                .filter(|(k, _)| *k != "le" && *k != "__name__")
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        );
        groups.entry(key).or_default().push((le, values));
    }
    groups
        .into_iter()
        .map(|(labels, mut bs)| {
            bs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let values = (0..n)
                .map(|i| {
                    let points: Vec<(f64, f64)> = bs
                        .iter()
                        .map(|(le, v)| (*le, v[i]))
                        .filter(|p| !p.1.is_nan())
                        .collect();
                    quantile(q.get(i).copied().unwrap_or(f64::NAN), &points)
                })
                .collect();
            (labels, values)
        })
        .collect()
}

fn quantile(q: f64, buckets: &[(f64, f64)]) -> f64 {
    if buckets.len() < 2 || q.is_nan() || buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let total = buckets[buckets.len() - 1].1;
    if total <= 0.0 {
        return f64::NAN;
    }
    let rank = q * total;
    let i = buckets
        .iter()
        .position(|b| b.1 >= rank)
        .unwrap_or(buckets.len() - 1);
    if i == buckets.len() - 1 {
        return buckets[buckets.len() - 2].0;
    }
    let (upper, count) = buckets[i];
    let (lower, below) = if i == 0 {
        (if upper > 0.0 { 0.0 } else { upper }, 0.0)
    } else {
        buckets[i - 1]
    };
    if i == 0 && upper <= 0.0 {
        return upper;
    }
    lower + (upper - lower) * (rank - below) / (count - below).max(f64::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_within_the_bucket_like_prometheus() {
        // 10 observations ≤ 0.1, 10 more ≤ 0.5, none above.
        let b = [(0.1, 10.0), (0.5, 20.0), (f64::INFINITY, 20.0)];
        assert!((quantile(0.5, &b) - 0.1).abs() < 1e-12);
        assert!((quantile(0.75, &b) - 0.3).abs() < 1e-12);
        assert!((quantile(0.25, &b) - 0.05).abs() < 1e-12);
    }

    const S: u64 = 1_000_000_000;

    #[test]
    fn rate_counts_through_a_counter_reset() {
        // Samples fill the window (0 s, 30 s] exactly, starting from zero: no extrapolation.
        let t = [0, 10 * S, 20 * S, 30 * S];
        // 0 → 10 → reset to 5 → 15: increase 10 + 5 + 10 = 25 over 30 s.
        let v = [0.0, 10.0, 5.0, 15.0];
        assert_eq!(window("increase", &t, &v, (0, 30 * S)), 25.0);
        assert!((window("rate", &t, &v, (0, 30 * S)) - 25.0 / 30.0).abs() < 1e-12);
        assert!(window("rate", &t[..1], &[1.0], (0, 30 * S)).is_nan());
    }

    #[test]
    fn increase_extrapolates_to_the_window_edges_like_prometheus() {
        // Samples every 10 s at 15..45 s in the window (0, 60]: 15 s to the start and to
        // the end are beyond 1.1 × the 10 s gap, so each side adds half a gap: 30 s of
        // samples stand for 40 s.
        let t = [15 * S, 25 * S, 35 * S, 45 * S];
        let v = [100.0, 110.0, 120.0, 130.0];
        assert!((window("increase", &t, &v, (0, 60 * S)) - 40.0).abs() < 1e-9);
        assert!((window("rate", &t, &v, (0, 60 * S)) - 40.0 / 60.0).abs() < 1e-12);
        // A counter starting near zero is not extrapolated below zero: from 5, with 30 over
        // 30 s, zero is 5 s before the first sample, which is less than the threshold.
        let w = [5.0, 15.0, 25.0, 35.0];
        assert!((window("increase", &t, &w, (0, 60 * S)) - 30.0 * 40.0 / 30.0).abs() < 1e-9);
        // delta is not a counter: it is extrapolated the same way, resets and all.
        assert!(
            (window("delta", &t, &[10.0, 5.0, 7.0, 4.0], (0, 60 * S)) - (-6.0 * 40.0 / 30.0)).abs()
                < 1e-9
        );
    }
}
