//! `/admin` over HTTP: the session cookie, CSRF checks, security headers and
//! the routes of the editor UI. The pages themselves are made in
//! `crate::admin`; this module only carries requests to it and answers
//! back (`guard.rs`: cookies, CSRF, headers, login and logout).
//!
//! - The session cookie (`bron_session`) is HttpOnly, `SameSite=Strict`,
//!   limited to `/admin` (so `/graphql` never receives it: the API stays
//!   cookie-free), `Secure` behind an HTTPS proxy, and ends with the session.
//! - Every POST must carry the session's CSRF token (the login form a token
//!   of its own, from a short-lived cookie) and must not come from another
//!   site (`Origin`, `Sec-Fetch-Site`). No GET changes anything.
//! - Every answer has a strict Content-Security-Policy and `no-store`.

/// Runs the body with the session, or sends the browser to the login page.
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

mod guard;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::admin::{self, ListParams, Reply};
use crate::graphql::Api;
use guard::{login, login_form, logout, respond, same, same_site, session};

/// Admin forms carry whole texts; larger than an API request may be.
const MAX_FORM_BYTES: usize = 1024 * 1024;
const CSS: &str = include_str!("../../admin/static/admin.css");
const JS: &str = include_str!("../../admin/static/admin.js");

type Pairs = axum::Form<Vec<(String, String)>>;

pub fn router() -> Router<Arc<Api>> {
    Router::new()
        .route("/admin", get(worklist))
        .route("/admin/", get(worklist))
        .route("/admin/login", get(login_form).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/static/{file}", get(asset))
        .route("/admin/accounts", get(accounts).post(create_account))
        .route(
            "/admin/wachtwoord",
            get(password_form).post(change_password),
        )
        .route("/admin/accounts/{name}/{action}", post(account_action))
        .route("/admin/{type}", get(list))
        .route("/admin/{type}/new", get(new_form).post(create))
        .route("/admin/{type}/{id}", get(edit_form).post(update))
        .route("/admin/{type}/{id}/geschiedenis", get(history))
        .route("/admin/{type}/{id}/terugzetten", post(revert))
        .route("/admin/{type}/{id}/{action}", post(item_action))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
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

async fn password_form(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    with_session!(api, headers, "/admin/wachtwoord", |hub, s| {
        admin::password_form(hub, &s)
    })
}

async fn change_password(State(api): State<Arc<Api>>, req: axum::extract::Request) -> Response {
    let client = guard::client_of(&req);
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    with_post!(api, headers, "/admin/wachtwoord", form, |hub, s| {
        admin::change_password(hub, &s, form, &client).await
    })
}
