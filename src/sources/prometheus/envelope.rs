//! The Prometheus API envelope (`status`, `data`, `errorType`, `error`, `warnings`, `infos`)
//! around any typed `data`: one decoder for every endpoint besides the query ones (labels,
//! label values, series, metadata, exemplars).
//!
//! It follows the same rules as [`super::interpret`]: the body is read before the HTTP status is
//! blamed, because Prometheus sends its error envelope with 400, 422 and 503.

use super::decode::{DecodeError, within};
use crate::sources::SourceError;
use crate::sources::http::HttpResponse;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// A successful answer: the typed `data` and whatever the server said beside it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply<T> {
    pub data: T,
    /// Prometheus `warnings` (for example "results truncated due to limit").
    pub warnings: Vec<String>,
    /// Prometheus 3 `infos`.
    pub infos: Vec<String>,
}

impl<T> Reply<T> {
    /// The same reply with `f` applied to its data.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            data: f(self.data),
            warnings: self.warnings,
            infos: self.infos,
        }
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    status: &'a str,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(rename = "errorType", default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

/// Turns a response into its typed data or the most helpful [`SourceError`].
pub fn interpret_data<T: DeserializeOwned>(
    response: HttpResponse,
) -> Result<Reply<T>, SourceError> {
    let envelope: Envelope<'_> = match serde_json::from_slice(&response.body) {
        Ok(envelope) => envelope,
        Err(_) if response.status >= 300 => return Err(http_status(&response)),
        Err(e) => return Err(decode_error(&response, DecodeError::from(e))),
    };
    if envelope.status != "success" {
        return Err(SourceError::Query {
            url: response.url.clone(),
            error_type: envelope.error_type.unwrap_or_else(|| "error".to_owned()),
            message: envelope
                .error
                .unwrap_or_else(|| format!("status “{}” without a message", envelope.status)),
        });
    }
    if response.status >= 300 {
        return Err(http_status(&response));
    }
    let Some(raw) = envelope.data else {
        return Err(decode_error(
            &response,
            DecodeError {
                message: "success response without data".into(),
                line: 1,
                column: 1,
            },
        ));
    };
    let data = serde_json::from_str::<T>(raw.get())
        .map_err(|e| decode_error(&response, within(&response.body, raw, e)))?;
    Ok(Reply {
        data,
        warnings: envelope.warnings,
        infos: envelope.infos,
    })
}

fn http_status(response: &HttpResponse) -> SourceError {
    SourceError::HttpStatus {
        url: response.url.clone(),
        status: response.status,
        body: response.body_excerpt(),
    }
}

fn decode_error(response: &HttpResponse, e: DecodeError) -> SourceError {
    SourceError::Decode {
        url: response.url.clone(),
        message: e.message,
        line: e.line,
        column: e.column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            url: "http://p/api/v1/labels".into(),
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn success_carries_data_and_warnings() {
        let reply: Reply<Vec<String>> = interpret_data(response(
            200,
            r#"{"status":"success","data":["a","b"],"warnings":["results truncated due to limit"]}"#,
        ))
        .unwrap();
        assert_eq!(reply.data, ["a", "b"]);
        assert_eq!(reply.warnings, ["results truncated due to limit"]);
    }

    #[test]
    fn error_envelope_is_a_query_error_whatever_the_status() {
        let err = interpret_data::<Vec<String>>(response(
            400,
            r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\""}"#,
        ))
        .unwrap_err();
        assert!(
            matches!(&err, SourceError::Query { error_type, message, .. }
                if error_type == "bad_data" && message.contains("start")),
            "{err:?}"
        );
    }

    #[test]
    fn wrong_data_shape_points_into_the_body() {
        let err = interpret_data::<Vec<String>>(response(
            200,
            "{\"status\":\"success\",\n\"data\":[\"a\", 7]}",
        ))
        .unwrap_err();
        assert!(
            matches!(
                err,
                SourceError::Decode {
                    line: 2,
                    column: 14,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn text_error_page_is_an_http_error() {
        let err = interpret_data::<Vec<String>>(response(405, "Method Not Allowed")).unwrap_err();
        assert!(
            matches!(err, SourceError::HttpStatus { status: 405, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn success_without_data_is_a_decode_error() {
        let err =
            interpret_data::<Vec<String>>(response(200, r#"{"status":"success"}"#)).unwrap_err();
        assert!(matches!(err, SourceError::Decode { .. }), "{err:?}");
    }
}
