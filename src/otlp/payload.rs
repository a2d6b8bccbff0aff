//! Reading an OTLP/HTTP request payload: which encoding the headers announce, the body read
//! with a size bound (declared length first, then while streaming), and gzip decompression
//! bounded by the same limit so a small "zip bomb" cannot expand into gigabytes.

use super::RequestError;
use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use futures_util::StreamExt as _;
use std::io::Read as _;

/// How an OTLP/HTTP payload is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadFormat {
    /// `application/x-protobuf`.
    Protobuf,
    /// `application/json` (OTLP/JSON).
    Json,
}

impl PayloadFormat {
    /// Reads `Content-Type`, ignoring parameters such as `charset` and letter case.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, RequestError> {
        let Some(value) = headers.get(CONTENT_TYPE) else {
            return Err(RequestError::UnsupportedContentType("(none)".into()));
        };
        let text = String::from_utf8_lossy(value.as_bytes());
        let media_type = text.split(';').next().unwrap_or("").trim();
        if media_type.eq_ignore_ascii_case("application/x-protobuf")
            || media_type.eq_ignore_ascii_case("application/protobuf")
        {
            Ok(Self::Protobuf)
        } else if media_type.eq_ignore_ascii_case("application/json") {
            Ok(Self::Json)
        } else {
            Err(RequestError::UnsupportedContentType(text.into_owned()))
        }
    }

    /// The `Content-Type` of responses in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Protobuf => "application/x-protobuf",
            Self::Json => "application/json",
        }
    }
}

/// How the body bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
}

impl Compression {
    /// Reads `Content-Encoding`; absent and `identity` mean uncompressed.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, RequestError> {
        let Some(value) = headers.get(CONTENT_ENCODING) else {
            return Ok(Self::None);
        };
        let text = String::from_utf8_lossy(value.as_bytes());
        let coding = text.trim();
        if coding.is_empty() || coding.eq_ignore_ascii_case("identity") {
            Ok(Self::None)
        } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            Ok(Self::Gzip)
        } else {
            Err(RequestError::UnsupportedContentEncoding(text.into_owned()))
        }
    }
}

/// Refuses a body whose declared `Content-Length` is over `limit`, before reading any of it.
pub fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), RequestError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => Err(RequestError::TooLarge {
            what: "request body",
            limit,
        }),
        _ => Ok(()),
    }
}

/// Reads the whole body, failing as soon as more than `limit` bytes have arrived (a chunked
/// body has no declared length to check up front).
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, RequestError> {
    let mut stream = body.into_data_stream();
    let Some(first) = stream.next().await else {
        return Ok(Bytes::new());
    };
    let first = first.map_err(|error| RequestError::Unreadable(error.to_string()))?;
    check_size(first.len(), limit, "request body")?;
    let Some(second) = stream.next().await else {
        // The common case, one data frame: no copy.
        return Ok(first);
    };
    let second = second.map_err(|error| RequestError::Unreadable(error.to_string()))?;
    let mut collected = Vec::with_capacity(first.len() + second.len());
    collected.extend_from_slice(&first);
    check_size(collected.len() + second.len(), limit, "request body")?;
    collected.extend_from_slice(&second);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| RequestError::Unreadable(error.to_string()))?;
        check_size(collected.len() + chunk.len(), limit, "request body")?;
        collected.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(collected))
}

/// Decompresses a gzip body (every member of a multi-member stream), refusing output larger
/// than `limit` without producing more than `limit + 1` bytes.
pub fn gunzip(compressed: &[u8], limit: usize) -> Result<Vec<u8>, RequestError> {
    let decoder = flate2::read::MultiGzDecoder::new(compressed);
    // Guess a typical 5-10x ratio for protobuf, capped so a bomb does not reserve the limit.
    let mut decompressed = Vec::with_capacity(compressed.len().saturating_mul(8).min(limit));
    decoder
        .take(limit as u64 + 1)
        .read_to_end(&mut decompressed)
        .map_err(|error| RequestError::Gzip(error.to_string()))?;
    check_size(decompressed.len(), limit, "decompressed request body")?;
    Ok(decompressed)
}

fn check_size(size: usize, limit: usize, what: &'static str) -> Result<(), RequestError> {
    if size > limit {
        Err(RequestError::TooLarge { what, limit })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::io::Write as _;

    fn headers(name: axum::http::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).expect("valid header"));
        headers
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).expect("in memory");
        encoder.finish().expect("in memory")
    }

    #[test]
    fn content_type_parameters_and_case_are_ignored() {
        let json = headers(CONTENT_TYPE, "Application/JSON; charset=utf-8");
        assert_eq!(PayloadFormat::from_headers(&json), Ok(PayloadFormat::Json));
        let protobuf = headers(CONTENT_TYPE, "application/x-protobuf");
        assert_eq!(
            PayloadFormat::from_headers(&protobuf),
            Ok(PayloadFormat::Protobuf)
        );
        let text = headers(CONTENT_TYPE, "text/plain");
        assert_eq!(
            PayloadFormat::from_headers(&text),
            Err(RequestError::UnsupportedContentType("text/plain".into()))
        );
    }

    #[test]
    fn gzip_output_over_the_limit_is_too_large() {
        let bomb = gzip(&vec![0u8; 1 << 20]);
        assert!(
            bomb.len() < 8 * 1024,
            "a 1 MiB run of zeros compresses well"
        );
        assert_eq!(
            gunzip(&bomb, 64 * 1024),
            Err(RequestError::TooLarge {
                what: "decompressed request body",
                limit: 64 * 1024
            })
        );
        assert_eq!(gunzip(&bomb, 1 << 20).map(|body| body.len()), Ok(1 << 20));
    }

    #[test]
    fn concatenated_gzip_members_are_all_decompressed() {
        let mut two_members = gzip(b"hello, ");
        two_members.extend(gzip(b"world"));
        assert_eq!(gunzip(&two_members, 100), Ok(b"hello, world".to_vec()));
    }

    #[tokio::test]
    async fn streamed_body_over_the_limit_is_too_large() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from(vec![1u8; 600])),
            Ok(Bytes::from(vec![2u8; 600])),
        ];
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        assert_eq!(
            read_body(body, 1000).await,
            Err(RequestError::TooLarge {
                what: "request body",
                limit: 1000
            })
        );
    }
}
