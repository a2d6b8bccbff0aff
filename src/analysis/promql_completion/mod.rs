//! What the user is typing in a PromQL query at the cursor, for autocomplete: a metric name,
//! function or aggregation; a label name inside `{…}` or `by (…)`; a label value after `=`,
//! `!=`, `=~` or `!~`; a range duration inside `[…]`; or a keyword after an expression. It
//! also says which byte range a chosen completion replaces.
//!
//! Pure and forgiving: the query is usually incomplete while typed, so it is tokenized by hand
//! (promql-parser only accepts whole queries) and read with a stack of open brackets. Fetching
//! the candidates is the `CompletionSource`'s job (`sources::completion`); ordering
//! them is [`rank`]'s.

pub mod candidates;
pub mod functions;
pub mod rank;

use std::ops::Range;

/// The completion at one cursor position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionAt {
    pub context: CompletionContext,
    /// Byte range of the query that a chosen candidate replaces (the whole word or string
    /// content under the cursor; empty at the cursor when nothing is typed yet).
    pub replace: Range<usize>,
    /// What is typed of the item before the cursor, with string escapes resolved: the text to
    /// rank candidates by.
    pub typed: String,
}

/// What kind of item belongs at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompletionContext {
    /// Nothing to complete (inside a comment, a number, a string that is not a label value…).
    Nothing,
    /// A new expression: a metric name, function or aggregation; `keywords` fit here too
    /// (`on`/`ignoring` after a binary operator, `group_left`/`group_right` after `on (…)`).
    Expression { keywords: &'static [&'static str] },
    /// After a complete expression: `keywords` such as `by`, `without`, `and`, `offset`.
    Keyword { keywords: &'static [&'static str] },
    /// A label name in a selector's braces. `used` lists the names already matched there.
    LabelName {
        metric: Option<String>,
        used: Vec<String>,
    },
    /// A label name in `by (…)`, `without (…)`, `on (…)`, `ignoring (…)` or `group_left (…)`;
    /// `metric` is the first metric the query selects.
    GroupingLabel {
        metric: Option<String>,
        used: Vec<String>,
    },
    /// A value of `label` in a selector of `metric`. `quote` is the quote the cursor is inside
    /// of; when `None` the candidate must be inserted quoted (see [`quoted`]).
    LabelValue {
        metric: Option<String>,
        label: String,
        quote: Option<char>,
    },
    /// A duration in `[…]`, after `:` in a subquery, or after `offset`.
    Duration,
}

/// Durations worth proposing in `[…]`.
pub const DURATIONS: &[&str] = &[
    "1m", "5m", "10m", "15m", "30m", "1h", "2h", "6h", "12h", "1d", "7d",
];

const BINARY_KEYWORDS: &[&str] = &["and", "or", "unless", "atan2"];
const AFTER_SELECTOR: &[&str] = &["and", "or", "unless", "atan2", "offset"];
const AFTER_AGGREGATION: &[&str] = &["by", "without", "and", "or", "unless", "atan2"];
const AGGREGATION_MODIFIERS: &[&str] = &["by", "without"];
const VECTOR_MATCHING: &[&str] = &["on", "ignoring"];
const AFTER_COMPARISON: &[&str] = &["bool", "on", "ignoring"];
const GROUP_MODIFIERS: &[&str] = &["group_left", "group_right"];

/// Words that are never metric names.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "atan2",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
];

/// Decides what is being typed at byte offset `cursor` of `query`.
pub fn completion_at(query: &str, cursor: usize) -> CompletionAt {
    let mut cursor = cursor.min(query.len());
    while !query.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let tokens = lex(query);
    let under = tokens.iter().position(|t| t.contains(cursor));
    let nothing = |replace: Range<usize>| CompletionAt {
        context: CompletionContext::Nothing,
        replace,
        typed: String::new(),
    };
    let (replace, typed, first_after) = match under.map(|i| (i, &tokens[i])) {
        Some((_, t)) if t.kind == Kind::Comment => return nothing(cursor..cursor),
        Some((i, t)) => match t.kind {
            Kind::Str { quote, closed } => {
                let end = if closed { t.end - 1 } else { t.end };
                let typed = unescape(&query[t.start + 1..cursor], quote);
                (t.start + 1..end, typed, i)
            }
            _ => (t.start..t.end, query[t.start..cursor].to_owned(), i),
        },
        None => (
            cursor..cursor,
            String::new(),
            tokens
                .iter()
                .position(|t| t.start >= cursor)
                .unwrap_or(tokens.len()),
        ),
    };
    let current = under.map(|i| tokens[i].kind);
    let before: Vec<usize> = (0..first_after)
        .filter(|&i| tokens[i].kind != Kind::Comment)
        .collect();
    let mut walk = Walk::default();
    for &i in &before {
        walk.step(query, &tokens, i);
    }
    let text = |i: usize| tokens[i].text(query);
    let prev = before.last().copied();
    let prev2 = before.len().checked_sub(2).map(|k| before[k]);
    let is = |i: Option<usize>, s: &str| {
        i.is_some_and(|i| !matches!(tokens[i].kind, Kind::Str { .. }) && text(i) == s)
    };
    let is_match_op = |i: Option<usize>| {
        i.is_some_and(|i| tokens[i].kind == Kind::Op && matches!(text(i), "=" | "!=" | "=~" | "!~"))
    };

    let context = match (walk.stack.last(), current) {
        (Some(Frame::Brace { metric, open }), current) => {
            // The metric before the brace, or the one a `__name__="…"` matcher names.
            let metric = || {
                metric
                    .clone()
                    .or_else(|| name_matcher(query, &tokens, *open))
            };
            let label_before_op =
                is_match_op(prev) && prev2.is_some_and(|i| tokens[i].kind == Kind::Ident);
            let label = || prev2.map(|i| text(i).to_owned()).unwrap_or_default();
            match current {
                Some(Kind::Str { quote, .. }) if label_before_op => CompletionContext::LabelValue {
                    metric: metric(),
                    label: label(),
                    quote: Some(quote),
                },
                None | Some(Kind::Ident) if label_before_op => CompletionContext::LabelValue {
                    metric: metric(),
                    label: label(),
                    quote: None,
                },
                None | Some(Kind::Ident) if is(prev, "{") || is(prev, ",") => {
                    CompletionContext::LabelName {
                        metric: metric(),
                        used: used_labels(query, &tokens, *open, under),
                    }
                }
                _ => CompletionContext::Nothing,
            }
        }
        (Some(Frame::Bracket), Some(Kind::Number) | Some(Kind::Ident) | None)
            if is(prev, "[") || is(prev, ":") =>
        {
            CompletionContext::Duration
        }
        (Some(Frame::Bracket), _) => CompletionContext::Nothing,
        (Some(Frame::Grouping { open, .. }), None | Some(Kind::Ident))
            if is(prev, "(") || is(prev, ",") =>
        {
            CompletionContext::GroupingLabel {
                metric: first_metric(query, &tokens),
                used: grouped_labels(query, &tokens, *open, under),
            }
        }
        (Some(Frame::Grouping { .. }), _) => CompletionContext::Nothing,
        (_, Some(Kind::Number)) if is(prev, "offset") => CompletionContext::Duration,
        (_, None | Some(Kind::Ident)) => expression_context(query, &tokens, prev, &walk),
        _ => CompletionContext::Nothing,
    };
    if context == CompletionContext::Nothing {
        return nothing(replace);
    }
    CompletionAt {
        context,
        replace,
        typed,
    }
}

/// The context outside any braces, brackets or grouping: decided by the token before.
fn expression_context(
    query: &str,
    tokens: &[Token],
    prev: Option<usize>,
    walk: &Walk,
) -> CompletionContext {
    use CompletionContext::{Duration, Expression, Keyword, Nothing};
    let Some(prev) = prev else {
        return Expression { keywords: &[] };
    };
    let token = &tokens[prev];
    let text = token.text(query);
    match token.kind {
        Kind::Open('(') | Kind::Comma => Expression { keywords: &[] },
        Kind::Op => match text {
            "==" | "!=" | ">" | "<" | ">=" | "<=" => Expression {
                keywords: AFTER_COMPARISON,
            },
            "+" | "-" | "*" | "/" | "%" | "^" => Expression {
                keywords: VECTOR_MATCHING,
            },
            _ => Nothing,
        },
        Kind::Close(')') => match &walk.last_closed {
            Some(Frame::Grouping {
                keyword, prefix, ..
            }) => match keyword.as_str() {
                "on" | "ignoring" => Expression {
                    keywords: GROUP_MODIFIERS,
                },
                "group_left" | "group_right" => Expression { keywords: &[] },
                // `sum by (job) (…)`: the aggregation's body must follow.
                _ if *prefix => Nothing,
                _ => Keyword {
                    keywords: BINARY_KEYWORDS,
                },
            },
            Some(Frame::Call {
                aggregation: true, ..
            }) => Keyword {
                keywords: AFTER_AGGREGATION,
            },
            _ => Keyword {
                keywords: BINARY_KEYWORDS,
            },
        },
        Kind::Close(_) => Keyword {
            keywords: AFTER_SELECTOR,
        },
        Kind::Number | Kind::Str { .. } => Keyword {
            keywords: BINARY_KEYWORDS,
        },
        Kind::Ident => match text {
            "and" | "or" | "unless" | "atan2" => Expression {
                keywords: VECTOR_MATCHING,
            },
            "bool" => Expression {
                keywords: VECTOR_MATCHING,
            },
            "offset" => Duration,
            "by" | "without" | "on" | "ignoring" | "group_left" | "group_right" => Nothing,
            name if functions::is_aggregation(name) => Keyword {
                keywords: AGGREGATION_MODIFIERS,
            },
            _ => Keyword {
                keywords: AFTER_SELECTOR,
            },
        },
        _ => Nothing,
    }
}

/// Wraps a label value in double quotes, escaped, for insertion where no string is open.
pub fn quoted(value: &str) -> String {
    format!("\"{}\"", escape_in_string(value, '"'))
}

/// Escapes `value` for insertion inside a string opened with `quote` (backticks take none).
pub fn escape_in_string(value: &str, quote: char) -> String {
    if quote == '`' {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn unescape(raw: &str, quote: char) -> String {
    if quote == '`' {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

// ------------------------------------------------------------------ tokens

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ident,
    /// Numbers and durations (`5m`, `1h30m`, `0.5`, `0x1f`).
    Number,
    Str {
        quote: char,
        closed: bool,
    },
    Op,
    Open(char),
    Close(char),
    Comma,
    Comment,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

impl Token {
    fn text<'q>(&self, query: &'q str) -> &'q str {
        &query[self.start..self.end]
    }

    /// Whether a cursor at `pos` is inside this token for completion: within or at the end of
    /// a word, or anywhere after a string's opening quote until its closing one.
    fn contains(&self, pos: usize) -> bool {
        match self.kind {
            Kind::Ident | Kind::Number | Kind::Comment => self.start < pos && pos <= self.end,
            Kind::Str { closed, .. } => self.start < pos && (pos < self.end || !closed),
            _ => false,
        }
    }
}

fn lex(query: &str) -> Vec<Token> {
    let bytes = query.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                Kind::Comment
            }
            b'"' | b'\'' | b'`' => {
                i += 1;
                let mut closed = false;
                while i < bytes.len() {
                    if bytes[i] == b'\\' && c != b'`' {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    if bytes[i - 1] == c {
                        closed = true;
                        break;
                    }
                }
                i = i.min(bytes.len());
                Kind::Str {
                    quote: c as char,
                    closed,
                }
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Kind::Number
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Kind::Number
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
                {
                    i += 1;
                }
                Kind::Ident
            }
            b'(' | b'{' | b'[' => {
                i += 1;
                Kind::Open(c as char)
            }
            b')' | b'}' | b']' => {
                i += 1;
                Kind::Close(c as char)
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b'=' | b'!' => {
                i += 1;
                if matches!(bytes.get(i), Some(b'=' | b'~')) {
                    i += 1;
                }
                Kind::Op
            }
            b'<' | b'>' => {
                i += 1;
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                }
                Kind::Op
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'@' | b':' => {
                i += 1;
                Kind::Op
            }
            _ => {
                // One character of anything else (UTF-8 aware).
                i += query[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Other
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

// ------------------------------------------------------------------ brackets

#[derive(Clone, Debug, PartialEq, Eq)]
enum Frame {
    /// `name(`: a function or an aggregation.
    Call {
        aggregation: bool,
    },
    /// `by (`, `without (`, `on (`, `ignoring (`, `group_left (`, `group_right (`. `prefix`
    /// when it came straight after an aggregation's name (`sum by (job) (…)`).
    Grouping {
        keyword: String,
        prefix: bool,
        open: usize,
    },
    Paren,
    /// `{` with the metric name before it, if any; `open` is the brace's token index.
    Brace {
        metric: Option<String>,
        open: usize,
    },
    Bracket,
}

#[derive(Default)]
struct Walk {
    stack: Vec<Frame>,
    prev: Option<usize>,
    /// The significant token before `prev`.
    prev2: Option<usize>,
    /// The frame the last `)`, `}` or `]` closed.
    last_closed: Option<Frame>,
}

impl Walk {
    fn step(&mut self, query: &str, tokens: &[Token], i: usize) {
        let token = &tokens[i];
        let prev = self.prev.map(|p| (&tokens[p], tokens[p].text(query)));
        match token.kind {
            Kind::Open('(') => {
                let frame = match prev {
                    Some((t, name)) if t.kind == Kind::Ident => match name {
                        "by" | "without" | "on" | "ignoring" | "group_left" | "group_right" => {
                            let prefix = self
                                .prev2
                                .is_some_and(|b| functions::is_aggregation(tokens[b].text(query)));
                            Frame::Grouping {
                                keyword: name.to_owned(),
                                prefix,
                                open: i,
                            }
                        }
                        _ => Frame::Call {
                            aggregation: functions::is_aggregation(name),
                        },
                    },
                    Some((t, _)) if t.kind == Kind::Close(')') => match &self.last_closed {
                        Some(Frame::Grouping { prefix: true, .. }) => {
                            Frame::Call { aggregation: true }
                        }
                        _ => Frame::Paren,
                    },
                    _ => Frame::Paren,
                };
                self.stack.push(frame);
            }
            Kind::Open('{') => {
                let metric = prev
                    .filter(|(t, name)| t.kind == Kind::Ident && !KEYWORDS.contains(name))
                    .map(|(_, name)| name.to_owned());
                self.stack.push(Frame::Brace { metric, open: i });
            }
            Kind::Open(_) => self.stack.push(Frame::Bracket),
            Kind::Close(_) => self.last_closed = self.stack.pop(),
            _ => {}
        }
        self.prev2 = self.prev;
        self.prev = Some(i);
    }
}

/// The value of a `__name__="…"` matcher in the braces opened at token `open`.
fn name_matcher(query: &str, tokens: &[Token], open: usize) -> Option<String> {
    let inside = brace_tokens(tokens, open);
    inside.windows(3).find_map(|w| {
        let [name, op, value] = [&tokens[w[0]], &tokens[w[1]], &tokens[w[2]]];
        match value.kind {
            Kind::Str {
                quote,
                closed: true,
            } if name.text(query) == "__name__" && op.text(query) == "=" => {
                Some(unescape(&query[value.start + 1..value.end - 1], quote))
            }
            _ => None,
        }
    })
}

/// Label names matched in the braces opened at `open`, except the one under the cursor.
fn used_labels(query: &str, tokens: &[Token], open: usize, under: Option<usize>) -> Vec<String> {
    let inside = brace_tokens(tokens, open);
    inside
        .windows(2)
        .filter(|w| {
            tokens[w[0]].kind == Kind::Ident
                && Some(w[0]) != under
                && tokens[w[1]].kind == Kind::Op
                && matches!(tokens[w[1]].text(query), "=" | "!=" | "=~" | "!~")
        })
        .map(|w| tokens[w[0]].text(query).to_owned())
        .collect()
}

/// Label names listed in the grouping opened at `open`, except the one under the cursor.
fn grouped_labels(query: &str, tokens: &[Token], open: usize, under: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate().skip(open + 1) {
        match t.kind {
            Kind::Close(_) => break,
            Kind::Ident if Some(i) != under => out.push(t.text(query).to_owned()),
            _ => {}
        }
    }
    out
}

/// Token indices inside the braces opened at `open`, up to the matching `}` or the end.
fn brace_tokens(tokens: &[Token], open: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate().skip(open + 1) {
        match t.kind {
            Kind::Close('}') => break,
            Kind::Comment => {}
            _ => out.push(i),
        }
    }
    out
}

/// The first metric name the query selects (a name not followed by `(`, outside braces,
/// brackets and groupings, and not a keyword).
fn first_metric(query: &str, tokens: &[Token]) -> Option<String> {
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].kind != Kind::Comment)
        .collect();
    let mut walk = Walk::default();
    for (k, &i) in significant.iter().enumerate() {
        let t = &tokens[i];
        let in_expression = !matches!(
            walk.stack.last(),
            Some(Frame::Brace { .. } | Frame::Bracket | Frame::Grouping { .. })
        );
        if t.kind == Kind::Ident && in_expression {
            let name = t.text(query);
            let next = significant.get(k + 1).map(|&n| tokens[n].kind);
            if next != Some(Kind::Open('('))
                && !KEYWORDS.contains(&name)
                && !functions::is_aggregation(name)
            {
                return Some(name.to_owned());
            }
        }
        if t.kind == Kind::Open('{')
            && in_expression
            && let Some(name) = name_matcher(query, tokens, i)
        {
            return Some(name);
        }
        walk.step(query, tokens, i);
    }
    None
}
