//! CORS for the API: which other sites' pages may call `/graphql` from a
//! browser. None by default; an operator lists origins (`--cors-origins`),
//! or `*` for a fully public read API. Only the API gets these headers:
//! `/admin` is same-origin only.
//!
//! A preflight from an allowed origin is answered 204 with the methods and
//! headers a GraphQL client sends (including `authorization`) and a max
//! age; from any other origin, 403 with the reason, so a front-end
//! developer sees why in the network tab. When any origin is allowed, every
//! answer carries `Vary: Origin` (also one to a request without `Origin`),
//! so a cache never hands one origin's answer to another. No credentials:
//! tokens travel in a header.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origins {
    /// No cross-origin calls (the default).
    #[default]
    None,
    /// Any origin (a public read API; tokens still decide what is seen).
    Any,
    /// These origins exactly (`https://www.gemeente.nl`).
    List(Vec<String>),
}

/// How long a browser may remember a preflight answer, in seconds.
pub const MAX_AGE_SECONDS: u32 = 600;

const METHODS: &str = "GET, POST, OPTIONS";
const HEADERS: &str = "authorization, content-type, accept, apollographql-client-name, \
     apollographql-client-version, apollo-require-preflight, x-apollo-operation-name, \
     x-request-id";

impl Origins {
    /// Parses `--cors-origins`: comma-separated origins, `*`, or empty.
    pub fn parse(text: &str) -> Result<Origins, String> {
        let items: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Ok(Origins::None);
        }
        if items == ["*"] {
            return Ok(Origins::Any);
        }
        let mut list = Vec::new();
        for o in items {
            let o = o.trim_end_matches('/');
            let ok = o.split_once("://").is_some_and(|(scheme, host)| {
                (scheme == "https" || scheme == "http")
                    && !host.is_empty()
                    && !host.contains(['/', '*', ' ', '?', '#', '@'])
            });
            if !ok {
                return Err(format!(
                    "`{o}` is not an origin: write scheme and host (and port), such as https://www.gemeente.nl, or `*` alone for every origin"
                ));
            }
            list.push(o.to_ascii_lowercase());
        }
        Ok(Origins::List(list))
    }

    fn allows(&self, origin: &str) -> bool {
        match self {
            Origins::None => false,
            Origins::Any => true,
            Origins::List(l) => l.iter().any(|o| o.eq_ignore_ascii_case(origin)),
        }
    }
}

/// The layer: answers preflights and adds the CORS headers. A plain tower
/// service rather than axum's `from_fn`, which boxes and clones the inner
/// service for every request.
#[derive(Clone)]
pub struct CorsLayer(pub Arc<Origins>);

impl<S> tower::Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            origins: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Cors<S> {
    inner: S,
    origins: Arc<Origins>,
}

impl<S> tower::Service<Request> for Cors<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, super::Answering>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let Some(origin) = origin else {
            if *self.origins == Origins::None {
                return Either::Left(self.inner.call(req));
            }
            // The answer differs by origin, so a shared cache must not hand
            // this one (without the CORS headers) to a page on another site.
            let answer = self.inner.call(req);
            return Either::Right(Box::pin(async move {
                let mut resp = answer.await?;
                resp.headers_mut()
                    .append(header::VARY, HeaderValue::from_static("Origin"));
                Ok(resp)
            }));
        };
        let allowed = self.origins.allows(&origin);
        let preflight = req.method() == Method::OPTIONS
            && req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let answer = (!preflight).then(|| self.inner.call(req));
        Either::Right(Box::pin(async move {
            let mut resp = match answer {
                Some(answer) => answer.await?,
                None => preflight_answer(allowed, &origin),
            };
            let h = resp.headers_mut();
            if allowed && let Ok(v) = HeaderValue::from_str(&origin) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                h.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static("etag, x-request-id, retry-after"),
                );
            }
            h.append(header::VARY, HeaderValue::from_static("Origin"));
            Ok(resp)
        }))
    }
}

/// 204 with what a browser may send, or 403 with the reason.
fn preflight_answer(allowed: bool, origin: &str) -> Response {
    if !allowed {
        return super::error_response(
            StatusCode::FORBIDDEN,
            "CORS_ORIGIN_NOT_ALLOWED",
            &format!(
                "pages from `{origin}` may not call this API; the operator lists allowed origins with --cors-origins"
            ),
        );
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from(MAX_AGE_SECONDS),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_parsed_strictly() {
        assert_eq!(Origins::parse("").unwrap(), Origins::None);
        assert_eq!(Origins::parse(" * ").unwrap(), Origins::Any);
        assert_eq!(
            Origins::parse("https://www.gemeente.nl/, http://localhost:5173").unwrap(),
            Origins::List(vec![
                "https://www.gemeente.nl".into(),
                "http://localhost:5173".into()
            ])
        );
        for bad in [
            "www.gemeente.nl",
            "https://",
            "https://a.nl/pad",
            "https://*.nl",
            "*, https://a.nl",
        ] {
            assert!(Origins::parse(bad).is_err(), "{bad}");
        }
        let l = Origins::parse("https://a.nl").unwrap();
        assert!(l.allows("https://A.nl"));
        assert!(!l.allows("https://a.nl.evil.com"));
        assert!(!Origins::None.allows("https://a.nl"));
    }
}
