//! The front of the router: a repeated request to `/graphql` from a caller
//! without a token is answered here, before axum's routing and the API's
//! layers, when its raw form (`caching::raw_key`) has a current answer: a
//! 304 for a GET whose tag is current, or the answer cached under the key.
//! Those layers cannot change such an answer, so they are skipped only
//! where that holds: a request with an `Origin` goes through the CORS
//! layer, and one that accepts gzip or brotli through the compression
//! layer. Anything else, and every miss, goes on to the router unchanged
//! (a POST with the body already read). What the handlers do with the raw
//! form is theirs (`get::by_raw_get`, `graphql::by_raw_post`); this
//! only decides when to ask first.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::Response;
use futures_util::future::Either;

use super::get;
use super::graphql::{self, Media};
use super::{HttpOptions, caching};
use crate::graphql::Api;

/// What the front needs: the API and the operator's settings.
pub struct Front {
    pub api: Arc<Api>,
    pub options: Arc<HttpOptions>,
}

#[derive(Clone)]
pub struct FrontLayer(pub Arc<Front>);

impl<S> tower::Layer<S> for FrontLayer {
    type Service = FrontService<S>;

    fn layer(&self, inner: S) -> FrontService<S> {
        FrontService {
            inner,
            f: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct FrontService<S> {
    inner: S,
    f: Arc<Front>,
}

/// The media type to answer in, when the layers behind could not change
/// the answer to this request: `/graphql`, no token, no `Origin`, no
/// compression asked for.
fn plain(req: &Request) -> Option<Media> {
    let h = req.headers();
    if req.uri().path() != "/graphql"
        || h.contains_key(header::AUTHORIZATION)
        || h.contains_key(header::ORIGIN)
        || accepts_compression(h)
    {
        return None;
    }
    graphql::negotiate(h)
}

fn accepts_compression(h: &HeaderMap) -> bool {
    h.get_all(header::ACCEPT_ENCODING).iter().any(|v| {
        let v = v.as_bytes().to_ascii_lowercase();
        v.windows(4).any(|w| w == b"gzip") || v.windows(2).any(|w| w == b"br")
    })
}

/// The headers the skipped layers would have added to an answer to a
/// request without `Origin` that accepts no compression: `Vary: Origin`
/// when the operator allows origins (the CORS layer), and `Vary:
/// accept-encoding` on an answer large enough to compress (the compression
/// layer), so a cache keeps those variants apart.
fn as_layers_would(mut r: Response, options: &HttpOptions) -> Response {
    let large = r
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n >= u64::from(super::COMPRESS_FROM_BYTES));
    let h = r.headers_mut();
    if large {
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if options.cors != super::cors::Origins::None {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    r
}

impl<S> tower::Service<Request> for FrontService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, super::Answering>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let Some(media) = plain(&req) else {
            return Either::Left(self.inner.call(req));
        };
        let f = &self.f;
        match *req.method() {
            Method::GET => {
                let raw = req.uri().query().unwrap_or("");
                let key = caching::raw_key("GET", media.content_type(), &f.options, raw.as_bytes());
                match get::by_raw_get(&f.api, &f.options, req.headers(), &key, raw, media) {
                    Some(r) => Either::Right(Box::pin(std::future::ready(Ok(as_layers_would(
                        r, &f.options,
                    ))))),
                    None => Either::Left(self.inner.call(req)),
                }
            }
            Method::POST if graphql::json_content_type(req.headers()).is_ok() => {
                // The service that was made ready goes into the future; a
                // clone stays for the next request.
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                let f = f.clone();
                Either::Right(Box::pin(async move {
                    let (parts, body) = req.into_parts();
                    let bytes = match graphql::read_body(body).await {
                        Ok(b) => b,
                        Err(r) => return Ok(*r),
                    };
                    let key = caching::raw_key("POST", media.content_type(), &f.options, &bytes);
                    if let Some(r) = graphql::by_raw_post(&f.api, &key, media) {
                        return Ok(as_layers_would(r, &f.options));
                    }
                    inner
                        .call(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }))
            }
            _ => Either::Left(self.inner.call(req)),
        }
    }
}
