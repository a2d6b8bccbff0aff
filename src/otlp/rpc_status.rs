//! The `google.rpc` error messages OTLP servers answer with: `Status` (the body of every OTLP/HTTP
//! 4xx response and the gRPC `grpc-status-details-bin` trailer), `BadRequest` (what was wrong
//! with the data) and `RetryInfo` (when to come back). Only the fields OTLP clients read.

use prost::Message;
use std::time::Duration;

const BAD_REQUEST_TYPE_URL: &str = "type.googleapis.com/google.rpc.BadRequest";
const RETRY_INFO_TYPE_URL: &str = "type.googleapis.com/google.rpc.RetryInfo";

/// An error answer: a gRPC code, a developer-facing message and at most one detail.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorStatus {
    pub code: tonic::Code,
    pub message: String,
    pub detail: Option<ErrorDetail>,
}

/// The one `google.rpc` detail attached to an [`ErrorStatus`].
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorDetail {
    /// The data could not be used; the description says why.
    BadRequest { description: String },
    /// The server cannot take the data now; retry after this delay.
    RetryInfo { retry_delay: Duration },
}

impl ErrorStatus {
    /// `google.rpc.Status` in binary protobuf.
    pub fn to_protobuf(&self) -> Vec<u8> {
        let Self {
            code,
            message,
            detail,
        } = self;
        RpcStatus {
            code: *code as i32,
            message: message.clone(),
            details: detail.iter().map(ErrorDetail::to_any).collect(),
        }
        .encode_to_vec()
    }

    /// `google.rpc.Status` in the proto3 JSON mapping (`Any` details carry `@type`).
    pub fn to_json(&self) -> Vec<u8> {
        let Self {
            code,
            message,
            detail,
        } = self;
        let details: Vec<serde_json::Value> = detail.iter().map(ErrorDetail::to_json).collect();
        let mut status = serde_json::json!({ "code": *code as i32, "message": message });
        if !details.is_empty() {
            status["details"] = serde_json::Value::Array(details);
        }
        status.to_string().into_bytes()
    }
}

impl ErrorDetail {
    fn to_any(&self) -> ProtoAny {
        match self {
            Self::BadRequest { description } => ProtoAny {
                type_url: BAD_REQUEST_TYPE_URL.to_owned(),
                value: BadRequest {
                    field_violations: vec![FieldViolation {
                        field: String::new(),
                        description: description.clone(),
                    }],
                }
                .encode_to_vec(),
            },
            Self::RetryInfo { retry_delay } => ProtoAny {
                type_url: RETRY_INFO_TYPE_URL.to_owned(),
                value: RetryInfo {
                    retry_delay: Some(ProtoDuration::from(*retry_delay)),
                }
                .encode_to_vec(),
            },
        }
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Self::BadRequest { description } => serde_json::json!({
                "@type": BAD_REQUEST_TYPE_URL,
                "fieldViolations": [{ "description": description }],
            }),
            Self::RetryInfo { retry_delay } => serde_json::json!({
                "@type": RETRY_INFO_TYPE_URL,
                // proto3 JSON form of google.protobuf.Duration: seconds with an "s" suffix.
                "retryDelay": format!("{}s", retry_delay.as_secs_f64()),
            }),
        }
    }
}

/// `google.rpc.Status`.
#[derive(Clone, PartialEq, Message)]
pub struct RpcStatus {
    #[prost(int32, tag = "1")]
    pub code: i32,
    #[prost(string, tag = "2")]
    pub message: String,
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<ProtoAny>,
}

/// `google.protobuf.Any`.
#[derive(Clone, PartialEq, Message)]
pub struct ProtoAny {
    #[prost(string, tag = "1")]
    pub type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `google.rpc.RetryInfo`.
#[derive(Clone, PartialEq, Message)]
pub struct RetryInfo {
    #[prost(message, optional, tag = "1")]
    pub retry_delay: Option<ProtoDuration>,
}

/// `google.protobuf.Duration`.
#[derive(Clone, Copy, PartialEq, Eq, Message)]
pub struct ProtoDuration {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

impl From<Duration> for ProtoDuration {
    fn from(duration: Duration) -> Self {
        Self {
            seconds: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
            // subsec_nanos() < 1e9 always fits.
            nanos: i32::try_from(duration.subsec_nanos()).unwrap_or(0),
        }
    }
}

/// `google.rpc.BadRequest`.
#[derive(Clone, PartialEq, Message)]
pub struct BadRequest {
    #[prost(message, repeated, tag = "1")]
    pub field_violations: Vec<FieldViolation>,
}

/// `google.rpc.BadRequest.FieldViolation`.
#[derive(Clone, PartialEq, Message)]
pub struct FieldViolation {
    #[prost(string, tag = "1")]
    pub field: String,
    #[prost(string, tag = "2")]
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_info_round_trips_through_the_status_details() {
        let status = ErrorStatus {
            code: tonic::Code::ResourceExhausted,
            message: "over budget".into(),
            detail: Some(ErrorDetail::RetryInfo {
                retry_delay: Duration::from_millis(2500),
            }),
        };
        let decoded = RpcStatus::decode(status.to_protobuf().as_slice()).expect("decodes");
        assert_eq!(decoded.code, tonic::Code::ResourceExhausted as i32);
        assert_eq!(decoded.details[0].type_url, RETRY_INFO_TYPE_URL);
        let info = RetryInfo::decode(decoded.details[0].value.as_slice()).expect("decodes");
        assert_eq!(
            info.retry_delay,
            Some(ProtoDuration {
                seconds: 2,
                nanos: 500_000_000
            })
        );
    }

    #[test]
    fn json_status_names_the_detail_type() {
        let status = ErrorStatus {
            code: tonic::Code::InvalidArgument,
            message: "bad".into(),
            detail: Some(ErrorDetail::BadRequest {
                description: "truncated".into(),
            }),
        };
        let json: serde_json::Value =
            serde_json::from_slice(&status.to_json()).expect("valid JSON");
        assert_eq!(json["code"], 3);
        assert_eq!(json["message"], "bad");
        assert_eq!(json["details"][0]["@type"], BAD_REQUEST_TYPE_URL);
        assert_eq!(
            json["details"][0]["fieldViolations"][0]["description"],
            "truncated"
        );
    }
}
