//! Adding a filter to a LogQL query, as a click on a label or field does in Grafana: a stream
//! label becomes a matcher in the stream selector, a parsed field a label filter after its
//! parser stage (`| logfmt` or `| json`, added once).

use super::log_fields::FieldFormat;
// LogQL strings escape like PromQL's (both Go-style).
use super::promql_completion::quoted;

/// A filter a click on a label or field asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFilter {
    pub name: String,
    pub value: String,
    /// `!=` rather than `=`.
    pub exclude: bool,
    /// Where the filter goes.
    pub stage: FilterStage,
}

/// Where a filter goes in the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterStage {
    /// A stream label: a matcher in the selector.
    Selector,
    /// Structured metadata: a label filter in the pipeline, no parser needed.
    Metadata,
    /// A field a parser finds in the line: a label filter after that parser.
    Parsed(FieldFormat),
}

impl LogFilter {
    /// `query` with this filter added.
    pub fn apply(&self, query: &str) -> String {
        match self.stage {
            FilterStage::Selector => {
                with_label_matcher(query, &self.name, &self.value, self.exclude)
            }
            FilterStage::Metadata => {
                with_field_filter(query, None, &self.name, &self.value, self.exclude)
            }
            FilterStage::Parsed(format) => {
                with_field_filter(query, Some(format), &self.name, &self.value, self.exclude)
            }
        }
    }
}

/// The stream selector matching exactly `labels` (`{a="x", b="y"}`), values quoted.
pub fn stream_selector(labels: &[(String, String)]) -> String {
    let matchers: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quoted(v)))
        .collect();
    format!("{{{}}}", matchers.join(", "))
}

/// Byte range of the stream selector's braces (`{` .. `}` inclusive), skipping quoted text.
pub fn selector_range(query: &str) -> Option<(usize, usize)> {
    let mut open = None;
    let mut in_string: Option<char> = None;
    let mut escaped = false;
    for (i, c) in query.char_indices() {
        if let Some(q) = in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                in_string = None;
            }
            continue;
        }
        match c {
            '"' | '`' => in_string = Some(c),
            '{' if open.is_none() => open = Some(i),
            '}' if open.is_some() => return open.map(|o| (o, i)),
            _ => {}
        }
    }
    None
}

/// `query` with a stream matcher `name="value"` (or `!=` when `exclude`) in its selector; a
/// query without a selector gets one.
pub fn with_label_matcher(query: &str, name: &str, value: &str, exclude: bool) -> String {
    let op = if exclude { "!=" } else { "=" };
    let matcher = format!("{name}{op}{}", quoted(value));
    let Some((open, close)) = selector_range(query) else {
        let rest = query.trim();
        return if rest.is_empty() {
            format!("{{{matcher}}}")
        } else {
            format!("{{{matcher}}} {rest}")
        };
    };
    let inside = query[open + 1..close].trim();
    if inside
        .split(',')
        .any(|m| m.trim().replace(' ', "") == matcher.replace(' ', ""))
    {
        return query.to_owned();
    }
    let joined = if inside.is_empty() {
        matcher
    } else {
        format!("{inside}, {matcher}")
    };
    format!("{}{{{joined}}}{}", &query[..open], &query[close + 1..])
}

/// `query` with a label filter (`| name="value"`, or `!=`), after the parser stage `format`
/// needs (added when the query has none; structured metadata needs none).
pub fn with_field_filter(
    query: &str,
    format: Option<FieldFormat>,
    name: &str,
    value: &str,
    exclude: bool,
) -> String {
    let op = if exclude { "!=" } else { "=" };
    let mut out = query.trim_end().to_owned();
    if let Some(format) = format {
        let parser = match format {
            FieldFormat::Json => "json",
            FieldFormat::Logfmt => "logfmt",
        };
        let has_parser = query
            .split('|')
            .skip(1)
            .any(|stage| stage.split_whitespace().next() == Some(parser));
        if !has_parser {
            out.push_str(&format!(" | {parser}"));
        }
    }
    out.push_str(&format!(" | {name}{op}{}", quoted(value)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_quote_their_values() {
        assert_eq!(
            stream_selector(&[("a".into(), "x\"y".into()), ("b".into(), "z".into())]),
            r#"{a="x\"y", b="z"}"#
        );
    }

    #[test]
    fn a_label_joins_the_selector_once() {
        assert_eq!(
            with_label_matcher(
                r#"{service_name="checkout"} |= "error""#,
                "pod",
                "p-1",
                false
            ),
            r#"{service_name="checkout", pod="p-1"} |= "error""#
        );
        assert_eq!(
            with_label_matcher(r#"{a="x"}"#, "level", "debug", true),
            r#"{a="x", level!="debug"}"#
        );
        // Already there: unchanged.
        let q = r#"{a="x", pod="p-1"}"#;
        assert_eq!(with_label_matcher(q, "pod", "p-1", false), q);
        // No selector yet, or an empty one.
        assert_eq!(with_label_matcher("", "a", "b", false), r#"{a="b"}"#);
        assert_eq!(with_label_matcher("{}", "a", "b", false), r#"{a="b"}"#);
        // Braces inside a quoted value are not the selector's.
        assert_eq!(
            with_label_matcher(r#"{msg="{x}"} |= "}""#, "a", "q\"uote", false),
            r#"{msg="{x}", a="q\"uote"} |= "}""#
        );
    }

    #[test]
    fn a_field_filter_follows_its_parser_added_once() {
        let q = r#"{service_name="checkout"}"#;
        let once = with_field_filter(q, Some(FieldFormat::Logfmt), "status", "500", false);
        assert_eq!(once, r#"{service_name="checkout"} | logfmt | status="500""#);
        let twice = with_field_filter(&once, Some(FieldFormat::Logfmt), "method", "GET", true);
        assert_eq!(
            twice,
            r#"{service_name="checkout"} | logfmt | status="500" | method!="GET""#
        );
        assert_eq!(
            with_field_filter(q, Some(FieldFormat::Json), "user_id", "u-7", false),
            r#"{service_name="checkout"} | json | user_id="u-7""#
        );
        assert_eq!(
            with_field_filter(q, None, "trace_id", "abc", true),
            r#"{service_name="checkout"} | trace_id!="abc""#
        );
    }
}
