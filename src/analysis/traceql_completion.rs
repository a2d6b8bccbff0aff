//! What the TraceQL editor offers at the cursor: tag names where a condition starts inside
//! a span set's braces (`{ resource.serv`), and a tag's values after its comparison
//! (`resource.service.name = "ch`). Names and values come from Tempo's tag endpoints.

use super::promql_completion::{CompletionAt, CompletionContext};

/// Operators a value follows.
const OPERATORS: &[&str] = &["!=", "=~", "!~", ">=", "<=", "=", ">", "<"];

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':')
}

/// Decides what is being typed at byte offset `cursor` of TraceQL `query`.
pub fn traceql_completion_at(query: &str, cursor: usize) -> CompletionAt {
    let mut cursor = cursor.min(query.len());
    while !query.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let nothing = CompletionAt {
        context: CompletionContext::Nothing,
        replace: cursor..cursor,
        typed: String::new(),
    };
    // Where the cursor is: brace depth, and the open string it is in, if any.
    let mut depth = 0usize;
    let mut string_start: Option<usize> = None;
    let mut escaped = false;
    for (i, c) in query[..cursor].char_indices() {
        if let Some(_start) = string_start {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                string_start = None;
            }
            continue;
        }
        match c {
            '"' => string_start = Some(i),
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if depth == 0 {
        return nothing;
    }
    if let Some(quote) = string_start {
        let Some(label) = tag_before_operator(&query[..quote]) else {
            return nothing;
        };
        let end = query[quote + 1..]
            .find('"')
            .map_or(query.len(), |i| quote + 1 + i);
        return CompletionAt {
            context: CompletionContext::LabelValue {
                metric: None,
                label,
                quote: Some('"'),
            },
            replace: quote + 1..end.max(cursor),
            typed: query[quote + 1..cursor].to_owned(),
        };
    }
    let before = &query[..cursor];
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !is_tag_char(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = cursor
        + query[cursor..]
            .find(|c: char| !is_tag_char(c))
            .unwrap_or(query.len() - cursor);
    let typed = before[start..].to_owned();
    let lead = before[..start].trim_end();
    if lead.ends_with('{') || lead.ends_with("&&") || lead.ends_with("||") || lead.ends_with('(') {
        return CompletionAt {
            context: CompletionContext::LabelName {
                metric: None,
                used: Vec::new(),
            },
            replace: start..end,
            typed,
        };
    }
    if let Some(label) = tag_before_operator(lead) {
        return CompletionAt {
            context: CompletionContext::LabelValue {
                metric: None,
                label,
                quote: None,
            },
            replace: start..end,
            typed,
        };
    }
    nothing
}

/// The tag of `text` ending in `<tag> <operator>` (spaces allowed), if it does.
fn tag_before_operator(text: &str) -> Option<String> {
    let text = text.trim_end();
    let op = OPERATORS.iter().find(|op| text.ends_with(*op))?;
    let rest = text[..text.len() - op.len()].trim_end();
    let start = rest
        .char_indices()
        .rev()
        .find(|(_, c)| !is_tag_char(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let tag = &rest[start..];
    (!tag.is_empty()).then(|| tag.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(query_with_cursor: &str) -> CompletionAt {
        let cursor = query_with_cursor.find('^').expect("a ^ marks the cursor");
        let query = query_with_cursor.replacen('^', "", 1);
        traceql_completion_at(&query, cursor)
    }

    #[test]
    fn tag_names_where_a_condition_starts() {
        for q in ["{ resource.ser^ }", "{^}", "{ .a = 1 && span.ht^", "{ (na^"] {
            assert!(
                matches!(at(q).context, CompletionContext::LabelName { .. }),
                "{q}"
            );
        }
        let a = at("{ resource.ser^ }");
        assert_eq!(a.typed, "resource.ser");
        assert_eq!(a.replace, 2..14);
        assert_eq!(at("^{ }").context, CompletionContext::Nothing);
        assert_eq!(at("{ a = 1 } ^").context, CompletionContext::Nothing);
    }

    #[test]
    fn values_after_a_comparison_quoted_or_not() {
        let v = at(r#"{ resource.service.name = "ch^" }"#);
        assert_eq!(
            v.context,
            CompletionContext::LabelValue {
                metric: None,
                label: "resource.service.name".into(),
                quote: Some('"'),
            }
        );
        assert_eq!(v.typed, "ch");
        let v = at("{ span.http.response.status_code >= 5^ }");
        assert!(matches!(
            v.context,
            CompletionContext::LabelValue { ref label, quote: None, .. } if label == "span.http.response.status_code"
        ));
        assert_eq!(v.typed, "5");
        // A string that is not a value: nothing.
        assert_eq!(at(r#"{ "x^" }"#).context, CompletionContext::Nothing);
    }
}
