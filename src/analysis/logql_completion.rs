//! What the LogQL editor offers at the cursor: label names and values inside the stream
//! selector (the selector is PromQL's, so PromQL's completion reads it), and the pipeline's
//! stages after a `|`.

use super::logql_edit::selector_range;
use super::promql_completion::{CompletionAt, CompletionContext, completion_at};

/// The pipeline stages LogQL has after `|`.
pub const STAGES: &[&str] = &[
    "json",
    "logfmt",
    "pattern",
    "regexp",
    "unpack",
    "line_format",
    "label_format",
    "drop",
    "keep",
    "decolorize",
    "unwrap",
];

/// Decides what is being typed at byte offset `cursor` of LogQL `query`.
pub fn logql_completion_at(query: &str, cursor: usize) -> CompletionAt {
    let mut cursor = cursor.min(query.len());
    while !query.is_char_boundary(cursor) {
        cursor -= 1;
    }
    match selector_range(query) {
        // Inside the selector's braces.
        Some((open, close)) if cursor > open && cursor <= close => {
            return completion_at(&query[..=close], cursor);
        }
        // A selector still being typed: no closing brace yet.
        None if query[..cursor].contains('{') => return completion_at(query, cursor),
        _ => {}
    }
    let before = &query[..cursor];
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let start = before.rfind(|c: char| !word(c)).map_or(0, |i| i + 1);
    let end = cursor
        + query[cursor..]
            .find(|c: char| !word(c))
            .unwrap_or(query.len() - cursor);
    let lead = before[..start].trim_end();
    // `|` opens a stage; `||` is not LogQL, and `|=` / `|~` are line filters (a string follows).
    if lead.ends_with('|') && !lead.ends_with("||") {
        return CompletionAt {
            context: CompletionContext::Keyword { keywords: STAGES },
            replace: start..end,
            typed: before[start..].to_owned(),
        };
    }
    CompletionAt {
        context: CompletionContext::Nothing,
        replace: cursor..cursor,
        typed: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(query_with_cursor: &str) -> CompletionAt {
        let cursor = query_with_cursor.find('^').expect("a ^ marks the cursor");
        let query = query_with_cursor.replacen('^', "", 1);
        logql_completion_at(&query, cursor)
    }

    #[test]
    fn label_names_and_values_in_the_selector() {
        assert!(matches!(
            at("{^}").context,
            CompletionContext::LabelName { metric: None, .. }
        ));
        assert!(matches!(
            at(r#"{service_name="checkout", na^} |= "x""#).context,
            CompletionContext::LabelName { metric: None, ref used } if used == &["service_name"]
        ));
        let value = at(r#"{service_name="ch^"} | json"#);
        assert!(matches!(
            value.context,
            CompletionContext::LabelValue { ref label, .. } if label == "service_name"
        ));
        assert_eq!(value.typed, "ch");
        // Still typing the selector, no closing brace yet.
        assert!(matches!(
            at(r#"{service_name=^"#).context,
            CompletionContext::LabelValue { .. }
        ));
    }

    #[test]
    fn stages_after_a_pipe_and_nothing_in_line_filters() {
        let q = r#"{a="b"} | js^"#;
        let stage = at(q);
        assert!(
            matches!(stage.context, CompletionContext::Keyword { keywords } if keywords == STAGES)
        );
        assert_eq!(stage.typed, "js");
        assert_eq!(stage.replace, 10..12);
        assert!(matches!(
            at(r#"{a="b"} |^"#).context,
            CompletionContext::Keyword { .. }
        ));
        for q in [r#"{a="b"} |= "er^""#, r#"{a="b"} ^"#, r#"{a="b"} |~ ^"#] {
            assert_eq!(at(q).context, CompletionContext::Nothing, "{q}");
        }
    }
}
