//! The editor UI at `/admin`: server-rendered pages for content editors.
//! Every page is built from hub calls made as the logged-in user, so the UI
//! and the GraphQL API cannot disagree about validation, references,
//! publishing or visibility. This module knows nothing of axum:
//! `http/admin.rs` checks the session and the CSRF token, turns requests
//! into calls here, and turns a [`Reply`] into a response.
//!
//! Pages are askama templates (`src/admin/templates/`), escaped by default.
//! They work without JavaScript; `static/admin.js` only adds conveniences.
//! No GET changes anything.

mod actions;
pub mod diff;
mod edit;
mod edit_page;
mod fields;
pub mod form;
mod history;
mod list;
mod preview;
pub mod readability;
mod users;
mod views;
mod worklist;

use askama::Template;

pub use actions::item_action;
pub use edit::{edit_form, new_form, post_item};
pub use history::{history, revert};
pub use list::{ListParams, list};
pub use users::{change_password, create_user, password_form, set_disabled, users};
pub use views::Layout;
pub use worklist::worklist;

use crate::error::Error;
use crate::hub::{Hub, Session};

/// What a page handler answers.
#[derive(Debug)]
pub enum Reply {
    Page {
        status: u16,
        html: String,
    },
    /// 303 See Other to this path (after a successful POST).
    Redirect(String),
    /// Not logged in (or the session ended): to the login page.
    Login,
}

/// The login page.
#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    next: &'a str,
    error: Option<&'a str>,
    name: &'a str,
    csrf: &'a str,
}

/// The login form, with an error after a failed attempt.
pub fn login_page(next: &str, name: &str, error: Option<&str>, csrf: &str) -> Reply {
    let status = if error.is_some() { 401 } else { 200 };
    page(
        status,
        LoginPage {
            next,
            error,
            name,
            csrf,
        },
    )
}

/// The message for a failed login, in Dutch.
pub fn login_error(e: &Error) -> String {
    match e {
        Error::TooManyAttempts {
            retry_after_seconds,
            ..
        } => format!(
            "Te veel mislukte pogingen. Probeer het over {} minuten opnieuw.",
            retry_after_seconds.div_ceil(60)
        ),
        Error::Unauthenticated(_) => "De naam of het wachtwoord klopt niet.".into(),
        other => format!("Inloggen lukt nu niet: {other}"),
    }
}

/// A page that explains a problem.
#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Option<Layout>,
    title: String,
    text: String,
    detail: Option<String>,
}

/// A page with a title and an explanation, inside the layout when there is
/// a session.
pub fn message(
    hub: &Hub,
    session: Option<&Session>,
    status: u16,
    title: &str,
    text: &str,
    detail: Option<String>,
) -> Reply {
    page(
        status,
        MessagePage {
            layout: session.map(|s| Layout::new(hub, s, title, "")),
            title: title.into(),
            text: text.into(),
            detail,
        },
    )
}

/// The page for an error a hub call returned.
pub fn error_page(hub: &Hub, session: &Session, e: &Error) -> Reply {
    let (title, text) = match e {
        Error::Unauthenticated(_) => return Reply::Login,
        Error::Forbidden(_) => (
            "Dit mag uw account niet",
            "Uw rol of team geeft geen recht op deze handeling. Vraag het aan een collega die dat recht wel heeft, of aan een beheerder.",
        ),
        Error::NotFound { .. } => (
            "Niet gevonden",
            "Dit item bestaat niet (meer). Misschien is het verwijderd.",
        ),
        Error::StoreBusy(_) => (
            "Even geduld",
            "Bron is bezig met een grote wijziging (zoals een import). Er is niets veranderd; probeer het zo opnieuw.",
        ),
        Error::Store(_) | Error::Migrate(_) | Error::Internal(_) => (
            "Er ging iets mis",
            "Bron kon dit niet afmaken. Er is niets half opgeslagen. Probeer het opnieuw; lukt het niet, meld het dan aan de beheerder.",
        ),
        _ => (
            "Dit kan zo niet",
            "Bron heeft de handeling geweigerd; er is niets veranderd.",
        ),
    };
    // What went wrong inside (a database message) is for the log, not the page.
    let detail = (e.code() != "INTERNAL").then(|| e.to_string());
    if detail.is_none() {
        tracing::error!(error = %e, "an editor page failed");
    }
    message(hub, Some(session), e.http_status(), title, text, detail)
}

/// A page the CSRF check refused.
pub fn csrf_refused(hub: &Hub, session: Option<&Session>) -> Reply {
    message(
        hub,
        session,
        403,
        "Formulier niet geaccepteerd",
        "Dit formulier is verlopen of kwam niet van deze site, dus er is niets opgeslagen. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
        None,
    )
}

fn page(status: u16, t: impl Template) -> Reply {
    match t.render() {
        Ok(html) => Reply::Page { status, html },
        Err(e) => Reply::Page {
            status: 500,
            html: {
                let mut text = String::new();
                crate::render::markdown::escape_html(&e.to_string(), &mut text);
                format!(
                    "<!doctype html><html lang=\"nl\"><title>Fout</title><p>De pagina kon niet worden gemaakt: {text}</p></html>"
                )
            },
        },
    }
}

/// The editable jargon list: items of the `jargon` type when the model has
/// one (term and plain alternative), so editors keep it like any content.
/// Read a page of 100 at a time, up to 1,000 terms.
async fn jargon(hub: &Hub, s: &Session) -> Vec<readability::Jargon> {
    let Some(ty) = hub.model().get("jargon") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut after = None;
    for _ in 0..10 {
        let req = crate::hub::ListRequest {
            type_name: ty.name.clone(),
            status: None,
            locale: Some("*".into()),
            updated_since: None,
            external_id: None,
            fields: Vec::new(),
            order: crate::domain::OrderKey::Slug,
            descending: false,
            first: Some(crate::hub::MAX_PAGE),
            after: after.take(),
            last: None,
            before: None,
        };
        let Ok(page) = hub.list(&s.viewer, req).await else {
            break;
        };
        out.extend(page.items.iter().filter_map(|(v, _)| {
            let text = |k: &str| v.fields.get(k).and_then(|x| x.as_str()).map(String::from);
            Some(readability::Jargon {
                term: text(&ty.title_field)?,
                plain: text("plain"),
            })
        }));
        match page.items.last() {
            Some((_, cursor)) if page.has_next_page => after = Some(cursor.clone()),
            _ => break,
        }
    }
    out
}
