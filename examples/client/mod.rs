//! The GraphQL client the example programs share: one POST to `/graphql`
//! per call, HTTP/1.1 over a plain `tokio::net::TcpStream` (no TLS), a
//! fresh connection each time (`Connection: close`), the whole response read
//! and its body taken by `Content-Length` or chunked transfer coding.
//!
//! [`Client::query`] is what the examples use: it returns `data`, or prints
//! the errors (message and `extensions.code`) and exits with code 1.
//! [`Client::try_query`] returns the errors instead.
//!
//! Included by every example with `#[path = "client/mod.rs"] mod client;`;
//! each uses part of it.
#![allow(dead_code)]

use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Where Bron answers when `--url` and `BRON_URL` are not given.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080/graphql";

/// How long one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Responses larger than this are refused (Bron's pages are far smaller).
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// A GraphQL endpoint, and the token to send to it.
#[derive(Clone, Debug)]
pub struct Client {
    host: String,
    port: u16,
    path: String,
    token: Option<String>,
}

/// One entry of a response's `errors`.
#[derive(Clone, Debug)]
pub struct GraphqlError {
    pub message: String,
    /// `extensions.code`, such as `NOT_FOUND` or `UNAUTHENTICATED`.
    pub code: Option<String>,
    /// The response path, such as `handover`, when the error is a field's.
    pub path: Option<String>,
}

/// Why a request gave no data.
#[derive(Debug)]
pub enum Error {
    /// No answer: the connection failed or the response was not HTTP.
    Transport(String),
    /// An answer that is not GraphQL: a status other than 200 without a
    /// JSON body holding `errors`.
    Http { status: u16, body: String },
    /// The server answered with GraphQL errors (in any status).
    Graphql {
        status: u16,
        errors: Vec<GraphqlError>,
    },
}

impl fmt::Display for GraphqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        match (&self.code, &self.path) {
            (Some(code), Some(path)) => write!(f, " [{code} at {path}]"),
            (Some(code), None) => write!(f, " [{code}]"),
            (None, Some(path)) => write!(f, " [at {path}]"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(m) => write!(f, "{m}"),
            Error::Http { status, body } => {
                let shown: String = body.chars().take(500).collect();
                write!(f, "HTTP {status} from the server: {shown}")
            }
            Error::Graphql { errors, .. } => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl Error {
    /// The `extensions.code` of the first GraphQL error, if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Graphql { errors, .. } => errors.first().and_then(|e| e.code.as_deref()),
            _ => None,
        }
    }
}

/// Makes a program whose output is cut short (`| head`) stop quietly
/// instead of panicking on the closed pipe, so `println!` can stay.
pub fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info)
    }));
}

/// Prints `message` as an error and exits with code 1.
pub fn fail(message: impl fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}

impl Client {
    /// A client for an `http://host[:port]/path` URL. An empty or blank
    /// token counts as none.
    pub fn new(url: &str, token: Option<String>) -> Result<Client, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("`{url}` is not an http:// URL (this client speaks no TLS)"))?;
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let path = path.split('#').next().unwrap_or("/");
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        if authority.contains('@') {
            return Err(format!(
                "`{url}`: user information in the URL is not supported; use --token"
            ));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            // [::1]:8080
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("`{url}`: unclosed `[` in the host"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return Err(format!("`{url}`: unexpected `{after}` after the host")),
            };
            (format!("[{host}]"), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        if host.is_empty() || host == "[]" {
            return Err(format!("`{url}` has no host"));
        }
        let port = match port {
            None | Some("") => 80,
            Some(p) => p
                .parse()
                .map_err(|_| format!("`{url}`: `{p}` is not a port number"))?,
        };
        let token = token
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        Ok(Client {
            host,
            port,
            path,
            token,
        })
    }

    /// [`Client::new`], or exit with the reason.
    pub fn or_exit(url: &str, token: Option<String>) -> Client {
        Client::new(url, token).unwrap_or_else(|e| fail(e))
    }

    /// Runs a query; returns `data`. On errors (GraphQL, HTTP or network)
    /// prints them, one a line with their codes, and exits with code 1.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        match self.try_query(query, variables).await {
            Ok(data) => data,
            Err(e) => {
                report(&e);
                std::process::exit(1)
            }
        }
    }

    /// Runs a query; returns `data`, or why there is none. A response with
    /// both data and errors counts as failed: every error is returned.
    pub async fn try_query(&self, query: &str, variables: Value) -> Result<Value, Error> {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let response = tokio::time::timeout(TIMEOUT, self.post(body.as_bytes()))
            .await
            .map_err(|_| {
                Error::Transport(format!(
                    "no answer from {} within {} seconds",
                    self.url(),
                    TIMEOUT.as_secs()
                ))
            })??;
        let json: Option<Value> = serde_json::from_slice(&response.body).ok();
        let errors = json
            .as_ref()
            .and_then(|v| v.get("errors"))
            .and_then(Value::as_array)
            .filter(|e| !e.is_empty());
        if let Some(errors) = errors {
            return Err(Error::Graphql {
                status: response.status,
                errors: errors.iter().map(graphql_error).collect(),
            });
        }
        match json {
            Some(mut v) if response.status == 200 && v.get("data").is_some() => {
                Ok(v["data"].take())
            }
            _ => Err(Error::Http {
                status: response.status,
                body: String::from_utf8_lossy(&response.body).into_owned(),
            }),
        }
    }

    /// The URL this client posts to.
    pub fn url(&self) -> String {
        if self.port == 80 {
            format!("http://{}{}", self.host, self.path)
        } else {
            format!("http://{}:{}{}", self.host, self.port, self.path)
        }
    }

    async fn post(&self, body: &[u8]) -> Result<Response, Error> {
        let connect_to = format!("{}:{}", self.host, self.port);
        let mut stream = TcpStream::connect((
            self.host.trim_matches(['[', ']']),
            self.port,
        ))
        .await
        .map_err(|e| {
            Error::Transport(format!(
                "cannot connect to {connect_to} ({e}); is Bron running? Start it with `cargo run -- serve` or pass --url"
            ))
        })?;
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: bron-examples\r\n",
            self.path,
            if self.port == 80 {
                self.host.clone()
            } else {
                format!("{}:{}", self.host, self.port)
            },
            body.len()
        );
        if let Some(token) = &self.token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        let io = |e: std::io::Error| Error::Transport(format!("talking to {connect_to}: {e}"));
        stream.write_all(&request).await.map_err(io)?;
        let mut raw = Vec::with_capacity(16 * 1024);
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let n = stream.read(&mut chunk).await.map_err(io)?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&chunk[..n]);
            if raw.len() > MAX_RESPONSE {
                return Err(Error::Transport(format!(
                    "the response from {connect_to} is larger than {MAX_RESPONSE} bytes"
                )));
            }
        }
        parse_response(&raw).map_err(|e| Error::Transport(format!("from {connect_to}: {e}")))
    }
}

/// Prints an error the way the examples report it: `error: <message>
/// [CODE]`, one line per GraphQL error.
pub fn report(e: &Error) {
    match e {
        Error::Graphql { errors, .. } => {
            for err in errors {
                eprintln!("error: {err}");
            }
        }
        other => eprintln!("error: {other}"),
    }
}

fn graphql_error(v: &Value) -> GraphqlError {
    let message = v["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string());
    let code = v["extensions"]["code"].as_str().map(str::to_string);
    let path = v["path"].as_array().map(|p| {
        p.iter()
            .map(|s| match s {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    });
    GraphqlError {
        message,
        code,
        path,
    }
}

/// A response as read from the socket.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Parses a whole HTTP/1.1 response: status line, headers, and the body by
/// `Transfer-Encoding: chunked`, `Content-Length`, or up to the end.
/// Interim (1xx) responses before the final one are skipped.
pub fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let mut rest = raw;
    loop {
        let end = find(rest, b"\r\n\r\n").ok_or_else(|| {
            if rest.is_empty() {
                "the connection closed without a response".to_string()
            } else {
                "the response ended inside its headers".to_string()
            }
        })?;
        let head = std::str::from_utf8(&rest[..end])
            .map_err(|_| "the response headers are not UTF-8".to_string())?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let mut parts = status_line.split(' ');
        let version = parts.next().unwrap_or("");
        if !version.starts_with("HTTP/1.") {
            return Err(format!("not an HTTP/1.x response: `{status_line}`"));
        }
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no status code in `{status_line}`"))?;
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("a header line without `:`: `{line}`"))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        rest = &rest[end + 4..];
        if (100..200).contains(&status) {
            continue;
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let chunked = header("transfer-encoding").is_some_and(|te| {
            te.rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
        });
        let body = if chunked {
            decode_chunked(rest)?
        } else if let Some(len) = header("content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| format!("a Content-Length that is not a number: `{len}`"))?;
            if rest.len() < len {
                return Err(format!(
                    "the body ended after {} of its {len} bytes",
                    rest.len()
                ));
            }
            rest[..len].to_vec()
        } else if status == 204 || status == 304 {
            Vec::new()
        } else {
            rest.to_vec()
        };
        return Ok(Response {
            status,
            headers,
            body,
        });
    }
}

/// Decodes a chunked body (RFC 9112, 7.1): hex sizes with optional
/// extensions, each chunk followed by CRLF, a zero-size chunk, trailers.
pub fn decode_chunked(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end =
            find(rest, b"\r\n").ok_or("the chunked body ended inside a chunk size line")?;
        let line = std::str::from_utf8(&rest[..line_end])
            .map_err(|_| "a chunk size line that is not text".to_string())?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("a chunk size that is not hexadecimal: `{size_text}`"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            // Trailers, if any, are not needed.
            return Ok(body);
        }
        if rest.len() < size + 2 {
            return Err(format!(
                "the chunked body ended inside a chunk of {size} bytes"
            ));
        }
        body.extend_from_slice(&rest[..size]);
        if &rest[size..size + 2] != b"\r\n" {
            return Err("a chunk is not followed by CRLF".to_string());
        }
        rest = &rest[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
