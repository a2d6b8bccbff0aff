//! Find within a trace: spans whose service, operation or attribute text contains a string
//! (ignoring case), in waterfall order, and "next / previous error" from a row.

use super::operations::TraceOperations;
use super::trace_tree::TraceTree;
use crate::model::{AttrValue, Span, SpanStatus, Trace};
use std::fmt::Write as _;

/// Spans (indices) whose service, name, or any attribute key or value contains `text`,
/// ignoring case, in depth-first (waterfall) order. Empty text matches nothing. Services and
/// names are tested once per distinct operation, attributes once per span.
pub fn trace_search(
    trace: &Trace,
    tree: &TraceTree,
    operations: &TraceOperations,
    text: &str,
) -> Vec<u32> {
    let needle = text.to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let table = &operations.table;
    let operation_matches: Vec<bool> = (0..table.len() as u32)
        .map(|op| {
            contains_ignore_case(table.service_name(table.service_of(op)), &needle)
                || contains_ignore_case(table.operation_name(op), &needle)
        })
        .collect();
    // Test spans in memory order (the pre-order jumps around), then emit in pre-order.
    let mut scratch = String::new();
    let matched: Vec<bool> = trace
        .spans
        .iter()
        .zip(&operations.of_span)
        .map(|(span, &op)| {
            operation_matches[op as usize] || attributes_match(span, &needle, &mut scratch)
        })
        .collect();
    tree.preorder()
        .iter()
        .copied()
        .filter(|&v| matched[v as usize])
        .collect()
}

fn attributes_match(span: &Span, needle: &str, scratch: &mut String) -> bool {
    span.attributes.iter().any(|(key, value)| {
        contains_ignore_case(key, needle)
            || match value {
                AttrValue::Str(s) | AttrValue::Text(s) => contains_ignore_case(s, needle),
                other => {
                    scratch.clear();
                    // Writing to a String cannot fail.
                    let _ = write!(scratch, "{other}");
                    contains_ignore_case(scratch, needle)
                }
            }
    })
}

/// Whether `haystack` contains `needle_lower` (already lowercased), ignoring case. ASCII
/// needles compare byte-wise without allocating; others lowercase the haystack.
fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if needle_lower.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle_lower.as_bytes());
        h.len() >= n.len()
            && h.windows(n.len())
                .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
    } else {
        haystack.to_lowercase().contains(needle_lower)
    }
}

/// The first row after `from_row` (of [`TraceTree::preorder`]) whose span has status Error,
/// wrapping around to the top; `None` when the trace has no error. With `from_row` `None`
/// the search starts at the top.
pub fn next_error(trace: &Trace, tree: &TraceTree, from_row: Option<u32>) -> Option<u32> {
    let rows = tree.preorder();
    let start = from_row.map_or(0, |r| r as usize + 1);
    let is_error = |r: &usize| trace.spans[rows[*r] as usize].status == SpanStatus::Error;
    (start..rows.len())
        .chain(0..start.min(rows.len()))
        .find(is_error)
        .map(|r| r as u32)
}

/// The first row before `from_row` whose span has status Error, wrapping around to the
/// bottom; with `from_row` `None` the search starts at the bottom.
pub fn previous_error(trace: &Trace, tree: &TraceTree, from_row: Option<u32>) -> Option<u32> {
    let rows = tree.preorder();
    let end = from_row.map_or(rows.len(), |r| (r as usize).min(rows.len()));
    let is_error = |r: &usize| trace.spans[rows[*r] as usize].status == SpanStatus::Error;
    (0..end)
        .rev()
        .chain((end..rows.len()).rev())
        .find(is_error)
        .map(|r| r as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    fn sample() -> Trace {
        let mut spans = vec![
            bare_span(None, "frontend", "GET /cart", 0, 100),
            bare_span(Some(0), "db", "SELECT", 50, 60),
            bare_span(Some(0), "Cart", "GetCart", 10, 40),
            bare_span(Some(2), "cache", "GET", 20, 30),
        ];
        spans[1].attributes.push((
            "db.statement".into(),
            AttrValue::Str("select * from CARTS".into()),
        ));
        spans[3]
            .attributes
            .push(("hit".into(), AttrValue::Bool(true)));
        spans[3]
            .attributes
            .push(("size".into(), AttrValue::Int(4096)));
        spans[1].status = SpanStatus::Error;
        spans[3].status = SpanStatus::Error;
        Trace {
            spans,
            ..Trace::default()
        }
    }

    #[test]
    fn finds_names_services_and_attributes_ignoring_case_in_waterfall_order() {
        let t = sample();
        let tree = TraceTree::new(&t);
        assert_eq!(tree.preorder(), &[0, 2, 3, 1]);
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), "cart"),
            vec![0, 2, 1]
        );
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), "TRUE"),
            vec![3]
        );
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), "409"),
            vec![3]
        );
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), "db."),
            vec![1]
        );
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), "nothing"),
            Vec::<u32>::new()
        );
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), ""),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn non_ascii_text_is_matched_ignoring_case() {
        let t = Trace {
            spans: vec![bare_span(None, "Überweisung", "ÄNDERN", 0, 1)],
            ..Trace::default()
        };
        let tree = TraceTree::new(&t);
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), "überw"),
            vec![0]
        );
        assert_eq!(
            trace_search(&t, &tree, &TraceOperations::new(&t), "änd"),
            vec![0]
        );
    }

    #[test]
    fn next_and_previous_error_wrap_around() {
        let t = sample();
        let tree = TraceTree::new(&t);
        // Rows: 0 → span 0, 1 → span 2, 2 → span 3 (error), 3 → span 1 (error).
        assert_eq!(next_error(&t, &tree, None), Some(2));
        assert_eq!(next_error(&t, &tree, Some(2)), Some(3));
        assert_eq!(next_error(&t, &tree, Some(3)), Some(2));
        assert_eq!(previous_error(&t, &tree, Some(3)), Some(2));
        assert_eq!(previous_error(&t, &tree, Some(2)), Some(3));
        assert_eq!(previous_error(&t, &tree, None), Some(3));

        let clean = Trace {
            spans: vec![bare_span(None, "a", "b", 0, 1)],
            ..Trace::default()
        };
        let tree = TraceTree::new(&clean);
        assert_eq!(next_error(&clean, &tree, Some(0)), None);
        assert_eq!(previous_error(&clean, &tree, None), None);
    }
}
