//! Accounts, for admins: who may log in with which role and team, a new
//! account (with a password made for it when none is given, shown once),
//! and disabling an account (its sessions end at once).

use askama::Template;

use super::form::{Pairs, one};
use super::views::{Layout, role_label, when};
use super::{Reply, error_page, page};
use crate::error::Error;
use crate::hub::{Hub, NewUser, Role, Session};

pub struct UserView {
    pub name: String,
    pub display_name: String,
    pub role: &'static str,
    pub team: String,
    pub since: String,
    pub active: bool,
    pub me: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Option<Layout>,
    users: Vec<UserView>,
    notice: Option<(&'static str, String)>,
    /// name, display name, role, team as typed.
    form: (String, String, String, String),
    error_field: &'static str,
    roles: Vec<(&'static str, &'static str)>,
    teams: Vec<String>,
}

impl UsersPage {
    fn csrf(&self) -> &str {
        self.layout
            .as_ref()
            .map(|l| l.csrf.as_str())
            .unwrap_or_default()
    }
}

async fn render(
    hub: &Hub,
    s: &Session,
    notice: Option<(&'static str, String)>,
    form: (String, String, String, String),
    error_field: &'static str,
    status: u16,
) -> Reply {
    let users = match hub.users(&s.viewer).await {
        Ok(u) => u,
        Err(e) => return error_page(hub, s, &e),
    };
    let users = users
        .iter()
        .map(|u| UserView {
            name: u.name.clone(),
            display_name: u.display_name.clone(),
            role: Role::parse(&u.role).map(role_label).unwrap_or("?"),
            team: u.team.clone().unwrap_or_default(),
            since: when(u.created_at),
            active: u.disabled_at.is_none(),
            me: u.name == s.viewer.name,
        })
        .collect();
    page(
        status,
        UsersPage {
            layout: Some(Layout::new(hub, s, "Accounts", "/admin/accounts")),
            users,
            notice,
            form,
            error_field,
            roles: vec![
                ("editor", "Redacteur: schrijft concepten"),
                ("publisher", "Publicist: publiceert ook"),
                ("admin", "Beheerder: ook accounts"),
                ("agent", "KCC-medewerker: alleen de API"),
            ],
            teams: hub.owner_teams().await.unwrap_or_default(),
        },
    )
}

pub async fn users(hub: &Hub, s: &Session, done: &str) -> Reply {
    let notice = match done {
        "uitgeschakeld" => Some((
            "ok",
            "Het account is uitgeschakeld; wie ermee was ingelogd, is uitgelogd.".to_string(),
        )),
        "ingeschakeld" => Some(("ok", "Het account is weer ingeschakeld.".to_string())),
        _ => None,
    };
    let form = (String::new(), String::new(), "editor".into(), String::new());
    render(hub, s, notice, form, "", 200).await
}

pub async fn create_user(hub: &Hub, s: &Session, pairs: Pairs) -> Reply {
    let get = |k: &str| one(&pairs, k).unwrap_or("").trim().to_string();
    let form = (get("name"), get("display_name"), get("role"), get("team"));
    let typed = one(&pairs, "password").unwrap_or("").to_string();
    let made = typed.is_empty();
    let password = if made {
        crate::cli::new_password()
    } else {
        typed
    };
    let role = match Role::parse(&form.2) {
        Ok(r) => r,
        Err(_) => {
            return render(
                hub,
                s,
                Some(("error", "Kies een rol.".into())),
                form,
                "role",
                400,
            )
            .await;
        }
    };
    let new = NewUser {
        name: form.0.clone(),
        display_name: Some(form.1.clone()).filter(|d| !d.is_empty()),
        role,
        team: Some(form.3.clone()).filter(|t| !t.is_empty()),
        password: password.clone(),
    };
    match hub.create_user(&s.viewer, new).await {
        Ok(u) => {
            let text = if made {
                format!(
                    "Account {} gemaakt. Het wachtwoord is {password} — geef het door en bewaar het niet; het wordt niet nog eens getoond.",
                    u.name
                )
            } else {
                format!("Account {} gemaakt.", u.name)
            };
            let empty = (String::new(), String::new(), "editor".into(), String::new());
            render(hub, s, Some(("ok", text)), empty, "", 200).await
        }
        Err(Error::Validation(errors)) => {
            let field = match errors.first().map(|e| e.field.as_str()) {
                Some("name") => "name",
                Some("password") => "password",
                _ => "",
            };
            let text = match field {
                "name" => "Deze inlognaam kan niet: gebruik 2 tot 64 kleine letters, cijfers, punt, streepje, liggend streepje of @.".to_string(),
                "password" => format!("Een wachtwoord heeft minstens {} tekens.", crate::hub::MIN_PASSWORD_CHARS),
                _ => errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
            };
            render(hub, s, Some(("error", text)), form, field, 400).await
        }
        Err(Error::BadInput(m)) if m.contains("already exists") => {
            render(
                hub,
                s,
                Some(("error", "Er is al een account met deze inlognaam.".into())),
                form,
                "name",
                409,
            )
            .await
        }
        Err(e) => error_page(hub, s, &e),
    }
}

pub async fn set_disabled(hub: &Hub, s: &Session, name: &str, disabled: bool) -> Reply {
    match hub.set_user_disabled(&s.viewer, name, disabled).await {
        Ok(()) => Reply::Redirect(format!(
            "/admin/accounts?klaar={}",
            if disabled {
                "uitgeschakeld"
            } else {
                "ingeschakeld"
            }
        )),
        Err(e) => error_page(hub, s, &e),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Option<Layout>,
    notice: Option<(&'static str, String)>,
    error_field: &'static str,
}

impl PasswordPage {
    fn csrf(&self) -> &str {
        self.layout
            .as_ref()
            .map(|l| l.csrf.as_str())
            .unwrap_or_default()
    }
}

/// The form to change one's own password.
pub fn password_form(hub: &Hub, s: &Session) -> Reply {
    page(
        200,
        PasswordPage {
            layout: Some(Layout::new(hub, s, "Wachtwoord wijzigen", "")),
            notice: None,
            error_field: "",
        },
    )
}

/// Changes one's own password; `client` is where the request came from.
pub async fn change_password(hub: &Hub, s: &Session, pairs: Pairs, client: &str) -> Reply {
    let get = |k: &str| one(&pairs, k).unwrap_or("").to_string();
    let (current, new, again) = (get("current"), get("new"), get("again"));
    let answer = |status, class, text: String, field| {
        page(
            status,
            PasswordPage {
                layout: Some(Layout::new(hub, s, "Wachtwoord wijzigen", "")),
                notice: Some((class, text)),
                error_field: field,
            },
        )
    };
    if new != again {
        return answer(
            400,
            "error",
            "De twee nieuwe wachtwoorden zijn niet gelijk.".into(),
            "again",
        );
    }
    match hub.change_password(&s.viewer, &current, &new, client).await {
        Ok(()) => answer(200, "ok", "Uw wachtwoord is gewijzigd.".into(), ""),
        Err(Error::Validation(errors)) => {
            let e = &errors[0];
            let field = if e.field == "current" {
                "current"
            } else {
                "password"
            };
            answer(400, "error", super::fields::dutch(e), field)
        }
        Err(e @ Error::TooManyAttempts { .. }) => {
            answer(429, "error", super::login_error(&e), "current")
        }
        Err(e) => error_page(hub, s, &e),
    }
}
