//! The traces search form's *Attribute* field, read as Jaeger UI reads its *Tags* field:
//! logfmt, `key=value` pairs separated by spaces, values with spaces in double quotes
//! (`db.statement="select 1"`, `\"` for a quote inside), a bare key meaning `key=true`
//! (`error` is `error=true`). Every pair must hold on one span.

/// The pairs `text` asks for, in order; what cannot be read is an error saying where.
pub fn parse_tag_filter(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut chars = text.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            return Ok(pairs);
        };
        let mut key = String::new();
        while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace() && *c != '=') {
            if c == '"' {
                return Err(format!(
                    "a quote in a key at character {}: quote values, not keys (key=\"a value\")",
                    start + key.len() + 1
                ));
            }
            key.push(c);
        }
        if key.is_empty() {
            return Err(format!(
                "a value without a key at character {}: write key=value",
                start + 1
            ));
        }
        if chars.next_if(|(_, c)| *c == '=').is_none() {
            pairs.push((key, "true".to_owned()));
            continue;
        }
        let mut value = String::new();
        if chars.next_if(|(_, c)| *c == '"').is_some() {
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, escaped)) => value.push(escaped),
                        None => break,
                    },
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(format!("the value of {key} has no closing quote"));
            }
        } else {
            while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace()) {
                value.push(c);
            }
        }
        pairs.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse_tag_filter(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn pairs_quotes_escapes_and_bare_keys_read_as_jaeger_ui_reads_them() {
        assert_eq!(pairs(""), owned(&[]));
        assert_eq!(pairs("   "), owned(&[]));
        assert_eq!(
            pairs(r#"http.status_code=500  region="eu west" error"#),
            owned(&[
                ("http.status_code", "500"),
                ("region", "eu west"),
                ("error", "true")
            ])
        );
        assert_eq!(
            pairs(r#"db.statement="select \"a\" from t\\x" k="""#),
            owned(&[("db.statement", r#"select "a" from t\x"#), ("k", "")])
        );
        assert_eq!(pairs("url=/a?b=c"), owned(&[("url", "/a?b=c")]));
        assert_eq!(pairs("k= v"), owned(&[("k", ""), ("v", "true")]));
        assert_eq!(pairs("naïve=été"), owned(&[("naïve", "été")]));
    }

    #[test]
    fn what_cannot_be_read_says_where() {
        let err = parse_tag_filter("a=1 =2").unwrap_err();
        assert!(err.contains("without a key at character 5"), "{err}");
        let err = parse_tag_filter(r#"msg="never closed"#).unwrap_err();
        assert!(err.contains("msg has no closing quote"), "{err}");
        let err = parse_tag_filter(r#"ok=1 k"ey=1"#).unwrap_err();
        assert!(err.contains("quote in a key"), "{err}");
    }
}
