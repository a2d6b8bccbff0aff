//! PromQL as the editor sees it: tokens for highlighting and the parser's verdict with a place
//! to underline. Parsing is `promql-parser`'s; this only finds where its error most likely is.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Metric and label names.
    Identifier,
    /// A name followed by `(`: a function or an aggregation.
    Function,
    /// `by`, `without`, `on`, `offset`, `and`…
    Keyword,
    String,
    Number,
    /// `5m`, `1h30m`.
    Duration,
    Operator,
    Punctuation,
    Comment,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub range: Range<usize>,
    pub kind: TokenKind,
}

const KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "and",
    "or",
    "unless",
    "atan2",
    "start",
    "end",
];

/// Aggregation operators: shown as functions even when `by (…)` comes before the parenthesis.
const AGGREGATIONS: &[&str] = &[
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "group",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
    "limitk",
    "limit_ratio",
];

/// Splits `text` into tokens for coloring. Never fails: anything unknown is punctuation.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c == b'#' {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            TokenKind::Comment
        } else if c == b'"' || c == b'\'' || c == b'`' {
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                i += if bytes[i] == b'\\' && c != b'`' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            TokenKind::String
        } else if c.is_ascii_digit()
            || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            let word = &text[start..i];
            if word.ends_with(|ch: char| ch.is_ascii_alphabetic())
                && !word.starts_with("0x")
                && !word.contains('e')
            {
                TokenKind::Duration
            } else {
                TokenKind::Number
            }
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b':' {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
            {
                i += 1;
            }
            let word = &text[start..i];
            let next = text[i..].trim_start().chars().next();
            if KEYWORDS.contains(&word.to_ascii_lowercase().as_str()) {
                TokenKind::Keyword
            } else if next == Some('(') || AGGREGATIONS.contains(&word) {
                TokenKind::Function
            } else {
                TokenKind::Identifier
            }
        } else if b"+-*/%^=!<>~".contains(&c) {
            while i < bytes.len() && b"=!<>~".contains(&bytes[i]) || i == start {
                i += 1;
            }
            TokenKind::Operator
        } else {
            // One character, whole (it may be multi-byte).
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            TokenKind::Punctuation
        };
        out.push(Token {
            range: start..i,
            kind,
        });
    }
    out
}

/// What is wrong with a query and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    /// Byte range to underline.
    pub range: Range<usize>,
}

/// `None` when `promql-parser` accepts the query (or it is empty); otherwise its message with
/// the most likely place: an unclosed or unmatched bracket or quote, else the last token.
pub fn check(text: &str) -> Option<SyntaxError> {
    if text.trim().is_empty() {
        return None;
    }
    let message = promql_parser::parser::parse(text).err()?;
    let range = unbalanced(text)
        .or_else(|| tokens(text).last().map(|t| t.range.clone()))
        .unwrap_or(0..text.len());
    Some(SyntaxError { message, range })
}

/// The first bracket that is never closed or closes nothing, or an unterminated string.
fn unbalanced(text: &str) -> Option<Range<usize>> {
    let mut open: Vec<(u8, usize)> = Vec::new();
    for token in tokens(text) {
        let t = &text[token.range.clone()];
        if token.kind == TokenKind::String {
            let quote = t.as_bytes()[0];
            if t.len() < 2
                || t.as_bytes()[t.len() - 1] != quote
                || t.ends_with("\\\"") && t.len() == 2
            {
                return Some(token.range);
            }
            continue;
        }
        if token.kind != TokenKind::Punctuation {
            continue;
        }
        match t.as_bytes()[0] {
            c @ (b'(' | b'{' | b'[') => open.push((c, token.range.start)),
            c @ (b')' | b'}' | b']') => {
                let expected = match c {
                    b')' => b'(',
                    b'}' => b'{',
                    _ => b'[',
                };
                match open.pop() {
                    Some((o, _)) if o == expected => {}
                    _ => return Some(token.range),
                }
            }
            _ => {}
        }
    }
    open.first().map(|&(_, at)| at..at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, TokenKind)> {
        tokens(text)
            .into_iter()
            .map(|t| (&text[t.range], t.kind))
            .collect()
    }

    #[test]
    fn tokens_tell_functions_names_strings_and_durations_apart() {
        use TokenKind::*;
        assert_eq!(
            kinds(r#"sum by (job) (rate(http_total{code=~"5.."}[5m])) > 0.5 # why"#),
            [
                ("sum", Function),
                ("by", Keyword),
                ("(", Punctuation),
                ("job", Identifier),
                (")", Punctuation),
                ("(", Punctuation),
                ("rate", Function),
                ("(", Punctuation),
                ("http_total", Identifier),
                ("{", Punctuation),
                ("code", Identifier),
                ("=~", Operator),
                (r#""5..""#, String),
                ("}", Punctuation),
                ("[", Punctuation),
                ("5m", Duration),
                ("]", Punctuation),
                (")", Punctuation),
                (")", Punctuation),
                (">", Operator),
                ("0.5", Number),
                ("# why", Comment),
            ]
        );
        assert_eq!(
            kinds(r#""a\"b" 1e3"#),
            [(r#""a\"b""#, String), ("1e3", Number)]
        );
    }

    #[test]
    fn valid_queries_pass_and_errors_point_at_the_problem() {
        assert_eq!(check("rate(up[5m])"), None);
        assert_eq!(check("   "), None);
        let e = check("rate(up[5m]").unwrap();
        assert_eq!(e.range, 4..5, "{e:?}");
        assert!(!e.message.is_empty());
        let e = check("up{job=\"a\"}}").unwrap();
        assert_eq!(e.range, 11..12);
        let e = check("up{job=\"a}").unwrap();
        assert_eq!(e.range, 7..10);
        let e = check("sum(up) +").unwrap();
        assert_eq!(e.range, 8..9);
    }
}
