//! `/admin` over HTTP: the session cookie, CSRF checks, security headers and
//! the routes of the editor UI. The pages themselves are made in
//! `crate::admin`; this file only carries requests to it and answers back.
//!
//! - The session cookie (`bron_session`) is HttpOnly, `SameSite=Strict`,
//!   limited to `/admin` (so `/graphql` never receives it: the API stays
//!   cookie-free), `Secure` behind an HTTPS proxy, and ends with the session.
//! - Every POST must carry the session's CSRF token (the login form a token
//!   of its own, from a short-lived cookie) and must not come from another
//!   site (`Origin`, `Sec-Fetch-Site`). No GET changes anything.
//! - Every answer has a strict Content-Security-Policy and `no-store`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use rand::RngCore;

use crate::admin::{self, ListParams, Reply};
use crate::graphql::Api;
use crate::hub::{Hub, Role, SESSION_HOURS, Session};

const SESSION_COOKIE: &str = "bron_session";
const LOGIN_COOKIE: &str = "bron_login";
/// Admin forms carry whole texts; larger than an API request may be.
const MAX_FORM_BYTES: usize = 1024 * 1024;
const CSP: &str = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
const CSS: &str = include_str!("../admin/static/admin.css");
const JS: &str = include_str!("../admin/static/admin.js");

type Pairs = axum::Form<Vec<(String, String)>>;

pub fn router() -> Router<Arc<Api>> {
    Router::new()
        .route("/admin", get(worklist))
        .route("/admin/", get(worklist))
        .route("/admin/login", get(login_form).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/static/{file}", get(asset))
        .route("/admin/accounts", get(accounts).post(create_account))
        .route("/admin/accounts/{name}/{action}", post(account_action))
        .route("/admin/{type}", get(list))
        .route("/admin/{type}/new", get(new_form).post(create))
        .route("/admin/{type}/{id}", get(edit_form).post(update))
        .route("/admin/{type}/{id}/geschiedenis", get(history))
        .route("/admin/{type}/{id}/terugzetten", post(revert))
        .route("/admin/{type}/{id}/{action}", post(item_action))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if https { "; Secure" } else { "" }
}

fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let v = format!(
        "{name}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        secure(headers)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn random() -> String {
    let mut b = [0u8; 24];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Equal without telling, by timing, how much of it was equal.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Refuses POSTs that come from another site.
fn same_site(headers: &HeaderMap) -> bool {
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

fn respond(reply: Reply, path: &str) -> Response {
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

fn redirect(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/admin")),
        )],
    )
        .into_response()
}

fn encode(s: &str) -> String {
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
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with("/admin")
        && !next.starts_with("//")
        && !next.contains(['\\', '\r', '\n'])
        && !next.starts_with("/admin/login");
    if ok { next } else { "/admin" }
}

/// The live session of the request, if any.
async fn session(hub: &Hub, headers: &HeaderMap) -> Option<Session> {
    let key = cookie(headers, SESSION_COOKIE)?;
    hub.session(key).await.ok().flatten()
}

/// Runs `f` with the session, or sends the browser to the login page.
macro_rules! with_session {
    ($api:expr, $headers:expr, $path:expr, |$hub:ident, $s:ident| $body:expr) => {{
        let $hub = $api.hub();
        match session($hub, &$headers).await {
            Some($s) => respond($body, $path),
            None => respond(Reply::Login, $path),
        }
    }};
}

/// As `with_session!`, for a POST: also checks the CSRF token and the origin.
macro_rules! with_post {
    ($api:expr, $headers:expr, $path:expr, $form:expr, |$hub:ident, $s:ident| $body:expr) => {{
        let $hub = $api.hub();
        match session($hub, &$headers).await {
            None => respond(Reply::Login, $path),
            Some($s) => {
                let token = $form
                    .iter()
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v.as_str());
                if !same_site(&$headers) || !token.is_some_and(|t| same(t, &$s.csrf)) {
                    respond(admin::csrf_refused($hub, Some(&$s)), $path)
                } else {
                    respond($body, $path)
                }
            }
        }
    }};
}

#[derive(serde::Deserialize, Default)]
struct NextParam {
    #[serde(default)]
    next: String,
}

async fn login_form(headers: HeaderMap, Query(q): Query<NextParam>) -> Response {
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

async fn login(State(api): State<Arc<Api>>, req: Request) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into());
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

async fn logout(State(api): State<Arc<Api>>, headers: HeaderMap, form: Pairs) -> Response {
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

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "admin.css" => (CSS, "text/css; charset=utf-8"),
        "admin.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

#[derive(serde::Deserialize, Default)]
struct TeamParam {
    team: Option<String>,
}

async fn worklist(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Query(q): Query<TeamParam>,
) -> Response {
    with_session!(api, headers, "/admin", |hub, s| admin::worklist(
        hub,
        &s,
        q.team.as_deref()
    )
    .await)
}

async fn list(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path(ty): Path<String>,
    Query(p): Query<ListParams>,
) -> Response {
    let path = format!("/admin/{ty}");
    with_session!(api, headers, &path, |hub, s| admin::list(hub, &s, &ty, p)
        .await)
}

async fn new_form(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path(ty): Path<String>,
) -> Response {
    let path = format!("/admin/{ty}/new");
    with_session!(api, headers, &path, |hub, s| admin::new_form(hub, &s, &ty)
        .await)
}

async fn create(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path(ty): Path<String>,
    form: Pairs,
) -> Response {
    let path = format!("/admin/{ty}/new");
    with_post!(api, headers, &path, form.0, |hub, s| admin::post_item(
        hub, &s, &ty, None, form.0
    )
    .await)
}

#[derive(serde::Deserialize, Default)]
struct EditParams {
    #[serde(default)]
    klaar: String,
}

async fn edit_form(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path((ty, id)): Path<(String, String)>,
    Query(q): Query<EditParams>,
) -> Response {
    let path = format!("/admin/{ty}/{id}");
    with_session!(api, headers, &path, |hub, s| admin::edit_form(
        hub, &s, &ty, &id, &q.klaar
    )
    .await)
}

async fn update(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path((ty, id)): Path<(String, String)>,
    form: Pairs,
) -> Response {
    let path = format!("/admin/{ty}/{id}");
    with_post!(api, headers, &path, form.0, |hub, s| admin::post_item(
        hub,
        &s,
        &ty,
        Some(&id),
        form.0
    )
    .await)
}

#[derive(serde::Deserialize, Default)]
struct Compare {
    a: Option<i64>,
    b: Option<i64>,
}

async fn history(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path((ty, id)): Path<(String, String)>,
    Query(q): Query<Compare>,
) -> Response {
    let path = format!("/admin/{ty}/{id}/geschiedenis");
    with_session!(api, headers, &path, |hub, s| admin::history(
        hub, &s, &ty, &id, q.a, q.b
    )
    .await)
}

async fn revert(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path((ty, id)): Path<(String, String)>,
    form: Pairs,
) -> Response {
    let path = format!("/admin/{ty}/{id}");
    with_post!(api, headers, &path, form.0, |hub, s| admin::revert(
        hub, &s, &ty, &id, form.0
    )
    .await)
}

async fn item_action(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path((ty, id, action)): Path<(String, String, String)>,
    form: Pairs,
) -> Response {
    let path = format!("/admin/{ty}/{id}");
    with_post!(api, headers, &path, form.0, |hub, s| {
        admin::item_action(hub, &s, &ty, &id, &action, form.0).await
    })
}

#[derive(serde::Deserialize, Default)]
struct Done {
    #[serde(default)]
    klaar: String,
}

async fn accounts(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Response {
    with_session!(api, headers, "/admin/accounts", |hub, s| admin::users(
        hub, &s, &q.klaar
    )
    .await)
}

async fn create_account(State(api): State<Arc<Api>>, headers: HeaderMap, form: Pairs) -> Response {
    with_post!(api, headers, "/admin/accounts", form.0, |hub, s| {
        admin::create_user(hub, &s, form.0).await
    })
}

async fn account_action(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path((name, action)): Path<(String, String)>,
    form: Pairs,
) -> Response {
    with_post!(api, headers, "/admin/accounts", form.0, |hub, s| {
        match action.as_str() {
            "uitschakelen" => admin::set_disabled(hub, &s, &name, true).await,
            "inschakelen" => admin::set_disabled(hub, &s, &name, false).await,
            _ => admin::message(
                hub,
                Some(&s),
                404,
                "Niet gevonden",
                "Deze handeling bestaat niet.",
                None,
            ),
        }
    })
}
