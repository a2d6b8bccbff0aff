//! Fields of a log line as flat name/value pairs: logfmt (`key=value key="quoted value"`) or
//! JSON, with nested object keys joined by `_` and names sanitized like Loki's `| json` and
//! `| logfmt` parsers do, so a field clicked here becomes a label filter Loki understands.

/// The values of `names` for row `i`, for field columns: each a stream label, structured
/// metadata or a label Loki parsed, else a field of the line itself (logfmt or JSON; the
/// line is parsed once, and only when a name is not found before).
pub fn field_values<'a>(
    batch: &'a crate::model::LogBatch,
    i: usize,
    names: &[String],
) -> Vec<Option<std::borrow::Cow<'a, str>>> {
    let mut line_fields: Option<Vec<(String, String)>> = None;
    names
        .iter()
        .map(|name| {
            if name == "service_name" || name == "service" {
                return Some(batch.service_name(i).into());
            }
            if let Some(v) = batch
                .stream_labels(i)
                .and_then(|l| l.get(name))
                .or_else(|| batch.structured_metadata.get(i, name))
                .or_else(|| batch.parsed.get(i, name))
            {
                return Some(v.into());
            }
            line_fields
                .get_or_insert_with(|| extract_fields(batch.body(i)).1)
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone().into())
        })
        .collect()
}

/// Which parser found the fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldFormat {
    Json,
    Logfmt,
}

/// Fields of `line`: JSON when it is a JSON object, else logfmt. Empty when neither applies.
pub fn extract_fields(line: &str) -> (FieldFormat, Vec<(String, String)>) {
    if line.trim_start().starts_with('{')
        && let Some(fields) = json_fields(line)
    {
        return (FieldFormat::Json, fields);
    }
    (FieldFormat::Logfmt, logfmt_fields(line))
}

/// JSON object fields, flattened: `{"a":{"b":1}}` gives `a_b=1`. Arrays are skipped (as Loki's
/// json parser does); strings unquoted; numbers and booleans as written; null is empty.
/// `None` when the line is not a JSON object.
pub fn json_fields(line: &str) -> Option<Vec<(String, String)>> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let serde_json::Value::Object(map) = value else {
        return None;
    };
    let mut out = Vec::new();
    flatten("", &map, &mut out);
    Some(out)
}

fn flatten(
    prefix: &str,
    map: &serde_json::Map<String, serde_json::Value>,
    out: &mut Vec<(String, String)>,
) {
    for (key, value) in map {
        let name = if prefix.is_empty() {
            sanitize(key)
        } else {
            format!("{prefix}_{}", sanitize(key))
        };
        match value {
            serde_json::Value::Object(inner) => flatten(&name, inner, out),
            serde_json::Value::Array(_) => {}
            serde_json::Value::String(s) => out.push((name, s.clone())),
            serde_json::Value::Null => out.push((name, String::new())),
            other => out.push((name, other.to_string())),
        }
    }
}

/// logfmt pairs: `key=value`, `key="value with \"quotes\""`, a bare `key` has an empty value.
/// Text that is not logfmt gives the pairs it happens to contain, never an error.
pub fn logfmt_fields(line: &str) -> Vec<(String, String)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && bytes[i] != b'='
            && bytes[i] != b'"'
        {
            i += 1;
        }
        let key = &line[key_start..i];
        if i < bytes.len() && bytes[i] == b'"' {
            // A stray quote outside a value: skip the quoted run, it is not a field.
            let (_, end) = quoted(line, i);
            i = end;
            continue;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            if !key.is_empty() && is_plain_key(key) {
                out.push((sanitize(key), String::new()));
            }
            continue;
        }
        i += 1; // '='
        let value = if i < bytes.len() && bytes[i] == b'"' {
            let (value, end) = quoted(line, i);
            i = end;
            value
        } else {
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            line[start..i].to_owned()
        };
        if !key.is_empty() {
            out.push((sanitize(key), value));
        }
    }
    out
}

/// A bare word counts as a key only if it looks like one (not `-`, `[24/Nov/2026:…]`, …).
fn is_plain_key(key: &str) -> bool {
    key.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
        && key.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
}

/// The text of the quoted string starting at `start` (a `"`), unescaping `\"` and `\\`,
/// and the index just past its closing quote (or the end of the line if unclosed).
fn quoted(line: &str, start: usize) -> (String, usize) {
    let mut value = String::new();
    let mut chars = line[start + 1..].char_indices();
    while let Some((off, c)) = chars.next() {
        match c {
            '"' => return (value, start + 1 + off + 1),
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, other)) => value.push(other),
                None => value.push('\\'),
            },
            c => value.push(c),
        }
    }
    (value, line.len())
}

/// A Loki label name: characters outside `[A-Za-z0-9_]` become `_`, a leading digit gets `_`.
pub fn sanitize(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_value_comes_from_labels_metadata_or_the_line() {
        let mut batch = crate::model::LogBatch::default();
        batch.push(
            1,
            "checkout",
            9,
            "level=info status=200 msg=\"ok\"",
            None,
            None,
        );
        batch.push(
            2,
            "checkout",
            9,
            r#"{"status":"500","user":{"id":"u-7"}}"#,
            None,
            None,
        );
        let value = |i: usize, name: &str| {
            field_values(&batch, i, &[name.to_owned()])[0]
                .as_deref()
                .map(str::to_owned)
        };
        assert_eq!(value(0, "status").as_deref(), Some("200"));
        assert_eq!(value(1, "status").as_deref(), Some("500"));
        assert_eq!(value(1, "user_id").as_deref(), Some("u-7"));
        assert_eq!(value(0, "service_name").as_deref(), Some("checkout"));
        assert_eq!(value(0, "nope"), None);
        // Several columns of one row at once, the line parsed once.
        let names = ["service_name", "status", "nope"].map(str::to_owned);
        let all: Vec<Option<String>> = field_values(&batch, 0, &names)
            .into_iter()
            .map(|v| v.map(|v| v.into_owned()))
            .collect();
        assert_eq!(all, [Some("checkout".into()), Some("200".into()), None]);
    }

    fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
        v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn logfmt_with_quotes_and_escapes() {
        let f = logfmt_fields(
            r#"ts=2026-11-24T07:57:04.291Z level=warn msg="payment declined; kept \"PENDING\"" status=402 dry_run"#,
        );
        assert_eq!(
            pairs(&f),
            vec![
                ("ts", "2026-11-24T07:57:04.291Z"),
                ("level", "warn"),
                ("msg", "payment declined; kept \"PENDING\""),
                ("status", "402"),
                ("dry_run", ""),
            ]
        );
    }

    #[test]
    fn logfmt_names_are_sanitized_and_garbage_is_survived() {
        let f = logfmt_fields(r#"http.method=GET 1st=x = "unclosed quote"#);
        assert_eq!(pairs(&f), vec![("http_method", "GET"), ("_1st", "x")]);
        assert!(logfmt_fields("").is_empty());
        assert!(
            logfmt_fields("a=\"never closed")
                .iter()
                .any(|(k, v)| k == "a" && v == "never closed")
        );
    }

    #[test]
    fn json_nested_keys_join_with_underscore_and_arrays_are_skipped() {
        let (format, f) = extract_fields(
            r#"{"level":"error","amount":87.45,"ok":false,"http":{"status":500,"req":{"user-agent":"curl"}},"tags":["a"],"none":null}"#,
        );
        assert_eq!(format, FieldFormat::Json);
        let mut got = pairs(&f);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("amount", "87.45"),
                ("http_req_user_agent", "curl"),
                ("http_status", "500"),
                ("level", "error"),
                ("none", ""),
                ("ok", "false"),
            ]
        );
    }

    #[test]
    fn a_line_that_only_looks_like_json_falls_back_to_logfmt() {
        let (format, f) = extract_fields("{broken a=1");
        assert_eq!(format, FieldFormat::Logfmt);
        assert_eq!(pairs(&f), vec![("a", "1")]);
    }
}
