//! The LogQL a link asks Loki with: the lines of a trace, the errors of a service. Label
//! values follow OpenTelemetry's mapping into Loki (`service.name` → `service_name`).

use crate::model::TraceId;

/// `value` as a LogQL double-quoted string.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every line that mentions the trace, in any stream with a service (Loki needs one
/// non-empty matcher; the id is plain hex so a line filter finds `trace_id=…`, JSON and
/// `traceparent` alike).
pub fn trace_lines(trace_id: TraceId) -> String {
    format!(
        "{{service_name=~\".+\"}} |= {}",
        quoted(&trace_id.to_string())
    )
}

/// A service's lines that say error, in any case.
pub fn service_errors(service: &str) -> String {
    format!("{{service_name={}}} |~ \"(?i)error\"", quoted(service))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_what_they_insert() {
        let id = TraceId::parse_hex("bdd640fb06671ad11c80317fa3b1799d").unwrap();
        assert_eq!(
            trace_lines(id),
            r#"{service_name=~".+"} |= "bdd640fb06671ad11c80317fa3b1799d""#
        );
        assert_eq!(
            service_errors("checkout"),
            r#"{service_name="checkout"} |~ "(?i)error""#
        );
        assert_eq!(
            service_errors("a\"b\\c"),
            r#"{service_name="a\"b\\c"} |~ "(?i)error""#
        );
    }
}
