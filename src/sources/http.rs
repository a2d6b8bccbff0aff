//! The shared HTTP layer: a `reqwest::Client` built from a connection's settings (auth, extra
//! headers, CA file, TLS verification, timeout) and a body reader that counts bytes and caps size.

use super::error::SourceError;
use crate::fetch::Progress;
use crate::workspace::{Auth, Connection};
use futures_util::StreamExt as _;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

/// Responses larger than this are refused rather than filling memory.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 512 * 1024 * 1024;

/// A body the server sent, whatever its status.
#[derive(Debug)]
pub struct HttpResponse {
    pub url: String,
    pub status: u16,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first few hundred characters of the body, for error messages.
    pub fn body_excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body[..self.body.len().min(400)]);
        text.trim().to_owned()
    }
}

/// A client bound to one connection's base URL.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    base: String,
    timeout: Duration,
    max_body_bytes: u64,
}

impl HttpClient {
    /// Builds the client. Reads the CA file, so call it off the UI thread.
    pub fn new(conn: &Connection) -> Result<Self, SourceError> {
        // reqwest is built without a default crypto provider; installing one twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base = conn.url.trim().trim_end_matches('/').to_owned();
        let parsed = url::Url::parse(&base)
            .map_err(|e| SourceError::Config(format!("base URL “{base}”: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(SourceError::Config(format!(
                "base URL “{base}” must start with http:// or https://"
            )));
        }
        let timeout = Duration::from_secs(conn.timeout_secs.max(1));
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .default_headers(default_headers(conn)?)
            .user_agent(concat!("signalscope/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &conn.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| SourceError::Config(format!("CA file {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| SourceError::Config(format!("CA file {}: {e}", path.display())))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if conn.skip_tls_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|e| SourceError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            base,
            timeout,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        })
    }

    pub fn with_max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `GET base + path?query`.
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        progress: &Progress,
    ) -> Result<HttpResponse, SourceError> {
        let url = self.url(path, query);
        self.send(self.client.get(&url), url, progress).await
    }

    /// `GET base + path?query` with extra request headers (e.g. Loki's encoding flags).
    pub async fn get_with_headers(
        &self,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        progress: &Progress,
    ) -> Result<HttpResponse, SourceError> {
        let url = self.url(path, query);
        let mut request = self.client.get(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request, url, progress).await
    }

    /// `POST base + path` with a form body, as the Prometheus UI sends long queries.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        progress: &Progress,
    ) -> Result<HttpResponse, SourceError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        // The URL shown in errors and the inspector carries the form too, like the Prometheus UI.
        let url = self.url(path, form);
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        self.send(request, url, progress).await
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{path}", self.base);
        if !query.is_empty() {
            url.push('?');
            url.push_str(
                &url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query)
                    .finish(),
            );
        }
        url
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: String,
        progress: &Progress,
    ) -> Result<HttpResponse, SourceError> {
        let response = request.send().await.map_err(|e| self.error(&url, &e))?;
        let status = response.status().as_u16();
        if let Some(len) = response.content_length()
            && len > self.max_body_bytes
        {
            return Err(SourceError::TooLarge {
                url,
                limit_bytes: self.max_body_bytes,
            });
        }
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.error(&url, &e))?;
            if body.len() as u64 + chunk.len() as u64 > self.max_body_bytes {
                return Err(SourceError::TooLarge {
                    url,
                    limit_bytes: self.max_body_bytes,
                });
            }
            progress.add_bytes(chunk.len() as u64);
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse { url, status, body })
    }

    fn error(&self, url: &str, e: &reqwest::Error) -> SourceError {
        if e.is_timeout() {
            SourceError::Timeout {
                url: url.to_owned(),
                after: self.timeout,
            }
        } else {
            // reqwest's top-level message is generic; the cause chain says what happened.
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                message = format!("{message}: {cause}");
                source = cause.source();
            }
            SourceError::Unreachable {
                url: url.to_owned(),
                message,
            }
        }
    }
}

/// The auth and extra headers every request of `conn` carries (also used for WebSockets).
pub(crate) fn default_headers(conn: &Connection) -> Result<HeaderMap, SourceError> {
    let mut headers = HeaderMap::new();
    let secret_err = |what: &str, e: String| SourceError::Config(format!("{what}: {e}"));
    match &conn.auth {
        Auth::None => {}
        Auth::Basic { username, password } => {
            let password = password
                .resolve()
                .map_err(|e| secret_err("basic auth password", e))?
                .unwrap_or_default();
            let token = base64_encode(format!("{username}:{password}").as_bytes());
            headers.insert(AUTHORIZATION, sensitive(&format!("Basic {token}"))?);
        }
        Auth::Bearer { token } => {
            if let Some(token) = token.resolve().map_err(|e| secret_err("bearer token", e))? {
                headers.insert(AUTHORIZATION, sensitive(&format!("Bearer {token}"))?);
            }
        }
    }
    for header in &conn.headers {
        if header.name.trim().is_empty() {
            continue;
        }
        let name = HeaderName::from_bytes(header.name.trim().as_bytes())
            .map_err(|_| SourceError::Config(format!("“{}” is not a header name", header.name)))?;
        if let Some(value) = header
            .resolve()
            .map_err(|e| secret_err(&format!("header {}", header.name), e))?
        {
            headers.insert(name, sensitive(&value)?);
        }
    }
    Ok(headers)
}

/// A header value marked sensitive, so reqwest and our logs never print it.
fn sensitive(value: &str) -> Result<HeaderValue, SourceError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        SourceError::Config("a header value holds characters HTTP does not allow".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// Standard base64 with padding, for basic auth only (not worth a dependency).
fn base64_encode(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{ConnectionId, Secret};

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), expected);
        }
    }

    #[test]
    fn basic_auth_header_is_built_and_marked_sensitive() {
        let mut conn = Connection::prometheus(ConnectionId(1), "p", "http://127.0.0.1:9");
        conn.auth = Auth::Basic {
            username: "Aladdin".into(),
            password: Secret::Session("open sesame".into()),
        };
        let headers = default_headers(&conn).unwrap();
        let auth = headers.get(AUTHORIZATION).unwrap();
        assert_eq!(auth.to_str().unwrap(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert!(auth.is_sensitive());
    }

    #[test]
    fn bad_base_url_is_a_config_error() {
        let conn = Connection::prometheus(ConnectionId(1), "p", "localhost:9090");
        assert!(matches!(
            HttpClient::new(&conn),
            Err(SourceError::Config(_))
        ));
    }
}
