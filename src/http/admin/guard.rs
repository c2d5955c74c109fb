//! The editor UI's guard: the session cookie, the CSRF and origin checks,
//! the security headers every answer gets, and logging in and out.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::RngCore;

use super::Pairs;
use crate::admin::{self, Reply};
use crate::graphql::Api;
use crate::hub::{Hub, Role, SESSION_HOURS, Session};

pub(super) const SESSION_COOKIE: &str = "bron_session";
const LOGIN_COOKIE: &str = "bron_login";
const CSP: &str = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(super) fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if https { "; Secure" } else { "" }
}

pub(super) fn set_cookie(
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age: i64,
) -> HeaderValue {
    let v = format!(
        "{name}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        secure(headers)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(super) fn random() -> String {
    let mut b = [0u8; 24];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Equal without telling, by timing, how much of it was equal.
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Refuses POSTs that come from another site.
pub(super) fn same_site(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site" || v == "same-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    !host.is_empty() && origin_host == host
}

pub(super) fn respond(reply: Reply, path: &str) -> Response {
    let mut r = match reply {
        Reply::Page { status, html } => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Reply::Redirect(to) => redirect(&to),
        Reply::Login => redirect(&format!("/admin/login?next={}", encode(path))),
    };
    let h = r.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(super) fn redirect(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/admin")),
        )],
    )
        .into_response()
}

pub(super) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only paths inside the editor UI are followed after login.
pub(super) fn safe_next(next: &str) -> &str {
    let ok = next.starts_with("/admin")
        && !next.starts_with("//")
        && !next.contains(['\\', '\r', '\n'])
        && !next.starts_with("/admin/login");
    if ok { next } else { "/admin" }
}

/// The live session of the request, if any.
pub(super) async fn session(hub: &Hub, headers: &HeaderMap) -> Option<Session> {
    let key = cookie(headers, SESSION_COOKIE)?;
    hub.session(key).await.ok().flatten()
}

#[derive(serde::Deserialize, Default)]
pub(super) struct NextParam {
    #[serde(default)]
    next: String,
}

pub(super) async fn login_form(headers: HeaderMap, Query(q): Query<NextParam>) -> Response {
    let token = random();
    let mut r = respond(
        admin::login_page(safe_next(&q.next), "", None, &token),
        "/admin/login",
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&headers, LOGIN_COOKIE, &token, 3600),
    );
    r
}

/// The address a request came from, for throttling ("local" in process).
pub(super) fn client_of(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

pub(super) async fn login(State(api): State<Arc<Api>>, req: Request) -> Response {
    let client = client_of(&req);
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return respond(admin::csrf_refused(api.hub(), None), "/admin/login");
    };
    let form: Vec<(String, String)> = serde_urlencoded_pairs(&bytes);
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let next = safe_next(get("next")).to_string();
    let name = get("name").trim().to_string();
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    let token = random();
    let again = |error: &str| {
        let mut r = respond(
            admin::login_page(&next, &name, Some(error), &token),
            "/admin/login",
        );
        r.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&headers, LOGIN_COOKIE, &token, 3600),
        );
        r
    };
    if expected.is_empty() || !same(expected, get("csrf")) || !same_site(&headers) {
        return again("Het inlogformulier was verlopen. Vul uw gegevens opnieuw in.");
    }
    match api.hub().login(&name, get("password"), &client).await {
        Ok(new) if new.session.viewer.role < Role::Editor => {
            let _ = api.hub().logout(&new.key).await;
            again(
                "Uw account heeft geen toegang tot de redactie. Vraag een beheerder om de rol redacteur.",
            )
        }
        Ok(new) => {
            let mut r = respond(Reply::Redirect(next.clone()), "/admin/login");
            let h = r.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(&headers, SESSION_COOKIE, &new.key, SESSION_HOURS * 3600),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&headers, LOGIN_COOKIE, "", 0),
            );
            r
        }
        Err(e) => {
            let mut r = again(&admin::login_error(&e));
            if let crate::Error::TooManyAttempts {
                retry_after_seconds,
                ..
            } = e
            {
                *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                if let Ok(v) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            r
        }
    }
}

fn serde_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

pub(super) async fn logout(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    form: Pairs,
) -> Response {
    let mut r = with_post!(api, headers, "/admin", form.0, |hub, _s| {
        if let Some(key) = cookie(&headers, SESSION_COOKIE) {
            let _ = hub.logout(key).await;
        }
        Reply::Redirect("/admin/login".into())
    });
    // Logged out: the browser forgets the cookie too.
    if r.status() == StatusCode::SEE_OTHER {
        r.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&headers, SESSION_COOKIE, "", 0),
        );
    }
    r
}
