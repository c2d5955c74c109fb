//! The editor UI over the real router (no browser): sessions and their
//! cookie, CSRF, throttling, roles and teams, validation in Dutch, stale
//! edits, and that the public API stays cookie-free. The browser tests in
//! `browser/admin.rs` drive the same pages in Chromium.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bron::hub::{ItemKey, NewUser, Role, Viewer};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::support::{TestHub, example_hub};

const PASSWORD: &str = "een lang genoeg wachtwoord";

/// A browser in miniature: keeps cookies, sends forms.
struct Client<'a> {
    t: &'a TestHub,
    jar: HashMap<String, String>,
    /// Headers of the last answer.
    last: axum::http::HeaderMap,
}

impl<'a> Client<'a> {
    fn new(t: &'a TestHub) -> Client<'a> {
        Client {
            t,
            jar: HashMap::new(),
            last: Default::default(),
        }
    }

    async fn send(
        &mut self,
        req: axum::http::request::Builder,
        body: Body,
    ) -> (StatusCode, String) {
        let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = req
            .header("cookie", cookies.join("; "))
            .header("host", "bron.test")
            .body(body)
            .unwrap();
        let resp = self.t.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        for c in resp.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.into(), v.into());
            }
        }
        self.last = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String) {
        self.send(Request::get(path), Body::empty()).await
    }

    async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String) {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        self.send(
            Request::post(path).header("content-type", "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    fn location(&self) -> &str {
        self.last
            .get("location")
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    async fn login(&mut self, name: &str, password: &str) -> (StatusCode, String) {
        let (_, page) = self.get("/admin/login").await;
        let csrf = hidden(&page, "csrf");
        self.post(
            "/admin/login",
            &[
                ("csrf", &csrf),
                ("next", "/admin"),
                ("name", name),
                ("password", password),
            ],
        )
        .await
    }
}

/// The value of the hidden input `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

async fn user(t: &TestHub, name: &str, role: Role, team: Option<&str>) {
    t.hub
        .create_user(
            &Viewer::cli(),
            NewUser {
                name: name.into(),
                display_name: None,
                role,
                team: team.map(String::from),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
}

async fn product_id(t: &TestHub, slug: &str) -> String {
    t.hub
        .get(
            &Viewer::cli(),
            "product",
            &ItemKey::Slug {
                locale: "nl".into(),
                slug: slug.into(),
            },
        )
        .await
        .unwrap()
        .unwrap()
        .id
        .clone()
}

/// HTML entities back to text, as a browser reads them.
fn unescape(s: &str) -> String {
    let re = regex::Regex::new(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|quot|amp|apos);").unwrap();
    re.replace_all(s, |c: &regex::Captures| {
        let e = &c[1];
        let ch = match e {
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "amp" => '&',
            "apos" => '\'',
            _ if e.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()
            }
            _ => char::from_u32(e[1..].parse().unwrap()).unwrap(),
        };
        ch.to_string()
    })
    .into_owned()
}

/// The edit form's pairs as a browser would post them (every input,
/// checked box, selected option and text area, buttons left out), with
/// `changes` replacing the fields they name.
fn form_of(page: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let start = page.find("class=\"edit\"").expect("an edit form");
    let form = &page[start..start + page[start..].find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let re = regex::Regex::new(&format!(r#"\s{name}="([^"]*)""#)).unwrap();
        re.captures(tag).map(|c| unescape(&c[1]))
    };
    let mut pairs = Vec::new();
    let tags = regex::Regex::new(r"(?s)<(input|textarea|select)\b([^>]*)>").unwrap();
    let selected = regex::Regex::new(r#"<option value="([^"]*)" selected"#).unwrap();
    for m in tags.captures_iter(form) {
        let (kind, tag) = (&m[1], &m[2]);
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let end = m.get(0).unwrap().end();
        match kind {
            "input" => {
                let ty = attr(tag, "type").unwrap_or_default();
                if (ty == "radio" || ty == "checkbox") && !tag.contains(" checked") {
                    continue;
                }
                pairs.push((name, attr(tag, "value").unwrap_or_default()));
            }
            "textarea" => {
                let text = &form[end..end + form[end..].find("</textarea>").unwrap()];
                pairs.push((name, unescape(text)));
            }
            _ => {
                let body = &form[end..end + form[end..].find("</select>").unwrap()];
                let v = selected
                    .captures(body)
                    .map(|c| unescape(&c[1]))
                    .unwrap_or_default();
                pairs.push((name, v));
            }
        }
    }
    for (k, v) in changes {
        if let Some(p) = pairs.iter_mut().find(|(n, _)| n == k) {
            p.1 = v.to_string();
        } else {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    pairs
}

async fn post_pairs(
    c: &mut Client<'_>,
    path: &str,
    pairs: &[(String, String)],
) -> (StatusCode, String) {
    let p: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    c.post(path, &p).await
}

#[tokio::test]
async fn a_login_gives_a_strict_http_only_cookie_for_admin_only_and_the_api_ignores_it() {
    let t = example_hub().await;
    user(&t, "redacteur", Role::Editor, None).await;
    let mut c = Client::new(&t);
    let (status, _) = c.get("/admin").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(c.location(), "/admin/login?next=/admin");
    let (status, _) = c.login("redacteur", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = c
        .last
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("bron_session="))
        .unwrap();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=36000",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let (status, page) = c.get("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Werklijst"), "{page}");
    assert_eq!(
        c.last
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next(),
        Some("default-src 'self'")
    );
    // The session cookie opens nothing in the API: a draft stays hidden.
    t.hub
        .create(
            &Viewer::cli(),
            bron::hub::NewItem {
                type_name: "step".into(),
                fields: serde_json::from_value(
                    json!({"title": "Geheim concept", "instruction": "Niet voor inwoners."}),
                )
                .unwrap(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (_, body) = c
        .send(
            Request::post("/graphql").header("content-type", "application/json"),
            Body::from(json!({"query": "{ steps(first: 100) { nodes { title } } }"}).to_string()),
        )
        .await;
    assert!(body.contains("\"data\""), "{body}");
    assert!(!body.contains("Geheim concept"), "{body}");
    // Logging out ends the session on the server, not just in the browser.
    let key = c.jar["bron_session"].clone();
    let (_, page) = c.get("/admin").await;
    let csrf = hidden(&page, "csrf");
    let (status, _) = c.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(!c.jar.contains_key("bron_session"));
    assert!(t.hub.session(&key).await.unwrap().is_none());
}

#[tokio::test]
async fn wrong_passwords_are_refused_and_then_throttled() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let mut c = Client::new(&t);
    for _ in 0..5 {
        let (status, page) = c.login("jan", "niet het wachtwoord").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(
            page.contains("De naam of het wachtwoord klopt niet."),
            "{page}"
        );
        assert!(!c.jar.contains_key("bron_session"));
    }
    // Locked now, even with the right password.
    let (status, page) = c.login("jan", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Te veel mislukte pogingen"), "{page}");
    assert!(c.last.get("retry-after").is_some());
    assert!(!c.jar.contains_key("bron_session"));
    // An unknown name gets the same answer as a wrong password.
    let (_, page) = c.login("niemand", PASSWORD).await;
    assert!(
        page.contains("De naam of het wachtwoord klopt niet."),
        "{page}"
    );
    // A login form without its token is refused.
    let (status, page) = c
        .post(
            "/admin/login",
            &[("csrf", "vals"), ("name", "jan"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("verlopen"), "{page}");
}

#[tokio::test]
async fn agents_cannot_log_in_to_the_editor_ui() {
    let t = example_hub().await;
    user(&t, "kcc", Role::Agent, None).await;
    let mut c = Client::new(&t);
    let (status, page) = c.login("kcc", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("geen toegang tot de redactie"), "{page}");
    assert!(!c.jar.contains_key("bron_session"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_or_from_another_site_changes_nothing() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let id = product_id(&t, "paspoort-aanvragen").await;
    let mut c = Client::new(&t);
    c.login("jan", PASSWORD).await;
    let path = format!("/admin/product/{id}");
    let (_, page) = c.get(&path).await;
    let version = hidden(&page, "version");
    let changes = [("f.title", "Gekaapt"), ("action", "save")];
    let mut pairs = form_of(&page, &changes);
    pairs.retain(|(k, _)| k != "csrf");
    let (status, body) = post_pairs(&mut c, &path, &pairs).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Formulier niet geaccepteerd"), "{body}");
    // With the token, but posted from another site.
    let pairs = form_of(&page, &changes);
    let body = serde_urlencoded::to_string(&pairs).unwrap();
    let (status, _) = c
        .send(
            Request::post(&path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "https://evil.example"),
            Body::from(body),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let now = t.hub.get_any(&Viewer::cli(), &id).await.unwrap().unwrap();
    assert_eq!(now.version.to_string(), version);
    assert_eq!(now.fields["title"], "Paspoort aanvragen");
    // A GET cannot do what a form does.
    let (status, _) = c.get(&format!("{path}/unpublish")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_new_product_is_refused_with_dutch_errors_next_to_its_fields_then_saved() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let mut c = Client::new(&t);
    c.login("jan", PASSWORD).await;
    let (status, page) = c.get("/admin/product/new").await;
    assert_eq!(status, StatusCode::OK);
    let pairs = form_of(
        &page,
        &[
            ("f.title", ""),
            ("f.summary", "Kort."),
            ("f.online_url", "javascript:alert(1)"),
            ("action", "save"),
        ],
    );
    let before = t.hub.item_count().await.unwrap();
    let (status, body) = post_pairs(&mut c, "/admin/product/new", &pairs).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Niet opgeslagen"), "{body}");
    let title_field = &body[body.find("id=\"veld-title\"").unwrap()..];
    let title_field = &title_field[..title_field.find("</div>").unwrap()];
    assert!(
        title_field.contains("Dit veld is verplicht"),
        "{title_field}"
    );
    assert!(body.contains("Vul een volledig webadres in"), "{body}");
    // What was typed is kept.
    assert!(body.contains(">Kort.</textarea>"), "{body}");
    assert_eq!(t.hub.item_count().await.unwrap(), before);
    let pairs = form_of(
        &page,
        &[
            ("f.title", "Bewonerskaart aanvragen"),
            (
                "f.summary",
                "Met een bewonerskaart zet u uw afval bij de container.",
            ),
            ("action", "save"),
        ],
    );
    let (status, _) = post_pairs(&mut c, "/admin/product/new", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(c.location().ends_with("?klaar=created"), "{}", c.location());
    let location = c.location().to_string();
    let (_, page) = c.get(&location).await;
    assert!(page.contains("Aangemaakt als concept"), "{page}");
    assert!(page.contains("Bewonerskaart aanvragen"));
}

#[tokio::test]
async fn a_stale_edit_shows_what_changed_and_keeps_the_editors_text() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    user(&t, "piet", Role::Editor, None).await;
    let id = product_id(&t, "paspoort-aanvragen").await;
    let path = format!("/admin/product/{id}");
    let mut jan = Client::new(&t);
    let mut piet = Client::new(&t);
    jan.login("jan", PASSWORD).await;
    piet.login("piet", PASSWORD).await;
    let (_, jan_page) = jan.get(&path).await;
    let (_, piet_page) = piet.get(&path).await;
    let (status, _) = post_pairs(
        &mut piet,
        &path,
        &form_of(
            &piet_page,
            &[
                ("f.title", "Paspoort aanvragen of verlengen"),
                ("f.summary", "Kort antwoord van Piet."),
                ("action", "save"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = post_pairs(
        &mut jan,
        &path,
        &form_of(
            &jan_page,
            &[
                ("f.title", "Paspoort aanvragen"),
                ("f.summary", "Kort antwoord van Jan."),
                ("action", "save"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Iemand anders heeft dit intussen gewijzigd"),
        "{body}"
    );
    assert!(body.contains("piet heeft intussen versie"), "{body}");
    assert!(
        body.contains("<ins>"),
        "the diff shows what Piet added: {body}"
    );
    assert!(
        body.contains("Kort antwoord van Jan."),
        "Jan's text is kept"
    );
    let now = t.hub.get_any(&Viewer::cli(), &id).await.unwrap().unwrap();
    assert_eq!(now.fields["summary"], "Kort antwoord van Piet.");
    // Saving again, knowingly, works.
    let pairs = vec![
        ("csrf".to_string(), hidden(&body, "csrf")),
        ("version".to_string(), hidden(&body, "version")),
        ("f.title".to_string(), "Paspoort aanvragen".to_string()),
        (
            "f.summary".to_string(),
            "Kort antwoord van Jan.".to_string(),
        ),
        ("action".to_string(), "save".to_string()),
    ];
    let (status, _) = post_pairs(&mut jan, &path, &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn publishing_needs_the_role_and_the_owning_team() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    user(&t, "parkeer", Role::Publisher, Some("Parkeren")).await;
    user(&t, "publiek", Role::Publisher, Some("Publiekszaken")).await;
    let id = product_id(&t, "paspoort-aanvragen").await;
    let path = format!("/admin/product/{id}");
    let edit = [
        ("f.summary", "Een nieuwe samenvatting van het paspoort."),
        ("action", "publish"),
    ];

    let mut jan = Client::new(&t);
    jan.login("jan", PASSWORD).await;
    let (_, page) = jan.get(&path).await;
    assert!(
        !page.contains("value=\"publish\""),
        "an editor has no publish button"
    );
    let (status, body) = post_pairs(&mut jan, &path, &form_of(&page, &edit)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("Opgeslagen, maar niet gepubliceerd"),
        "{body}"
    );
    let now = t.hub.get_any(&Viewer::cli(), &id).await.unwrap().unwrap();
    assert!(now.has_unpublished_changes(), "saved as a draft, not live");

    let mut other = Client::new(&t);
    other.login("parkeer", PASSWORD).await;
    let (_, page) = other.get(&path).await;
    let (status, body) = post_pairs(&mut other, &path, &form_of(&page, &edit)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("belongs to team Publiekszaken"), "{body}");
    let (status, _) = other
        .post(
            &format!("{path}/unpublish"),
            &[("csrf", &hidden(&page, "csrf"))],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut own = Client::new(&t);
    own.login("publiek", PASSWORD).await;
    let (_, page) = own.get(&path).await;
    let (status, _) = post_pairs(&mut own, &path, &form_of(&page, &edit)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(own.location().ends_with("?klaar=published"));
    let live = t
        .hub
        .get_any(&Viewer::anonymous(), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        live.fields["summary"],
        "Een nieuwe samenvatting van het paspoort."
    );
}

#[tokio::test]
async fn list_buttons_and_previews_change_nothing_until_saved() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let id = product_id(&t, "paspoort-aanvragen").await;
    let path = format!("/admin/product/{id}");
    let mut c = Client::new(&t);
    c.login("jan", PASSWORD).await;
    let (_, page) = c.get(&path).await;
    let steps: Vec<String> = page
        .match_indices("name=\"f.steps\" value=\"")
        .map(|(i, m)| page[i + m.len()..].split('"').next().unwrap().to_string())
        .collect();
    assert!(steps.len() >= 2, "the passport has steps");
    let mut pairs = form_of(
        &page,
        &[
            ("f.title", "Paspoort aanvragen"),
            ("f.summary", "Nieuw en nog niet bewaard."),
            ("action", "up:steps:1"),
        ],
    );
    for s in &steps {
        pairs.push(("f.steps".into(), s.clone()));
    }
    let (status, body) = post_pairs(&mut c, &path, &pairs).await;
    assert_eq!(status, StatusCode::OK);
    let order: Vec<String> = body
        .match_indices("name=\"f.steps\" value=\"")
        .map(|(i, m)| body[i + m.len()..].split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(order[0], steps[1]);
    assert_eq!(order[1], steps[0]);
    // The previews show the unsaved text in all four channels.
    assert_eq!(
        body.matches("Nieuw en nog niet bewaard.").count(),
        5,
        "field and 4 previews"
    );
    let now = t.hub.get_any(&Viewer::cli(), &id).await.unwrap().unwrap();
    assert_ne!(now.fields["summary"], "Nieuw en nog niet bewaard.");
}

#[tokio::test]
async fn saving_an_unchanged_form_changes_nothing_for_every_type() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let mut c = Client::new(&t);
    c.login("jan", PASSWORD).await;
    let rows = t.hub.export_rows(&Viewer::cli()).await.unwrap();
    let mut per_type: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let n = per_type.entry(row.type_name.clone()).or_default();
        if *n >= 12 {
            continue;
        }
        *n += 1;
        let path = format!("/admin/{}/{}", row.type_name, row.id);
        let (status, page) = c.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (status, body) =
            post_pairs(&mut c, &path, &form_of(&page, &[("action", "save")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
        let now = t
            .hub
            .get_any(&Viewer::cli(), &row.id)
            .await
            .unwrap()
            .unwrap();
        if now.version != row.version {
            let revs = t.hub.revisions(&Viewer::cli(), &row.id).await.unwrap();
            panic!(
                "{path}: the form lost or changed something:\n{}\nbecame\n{}",
                revs[1].content, revs[0].content
            );
        }
    }
    assert_eq!(per_type.len(), 6, "{per_type:?}");
}

#[tokio::test]
async fn an_admin_makes_and_disables_accounts_and_a_disabled_session_ends_at_once() {
    let t = example_hub().await;
    user(&t, "beheer", Role::Admin, None).await;
    user(&t, "jan", Role::Editor, None).await;
    let mut jan = Client::new(&t);
    jan.login("jan", PASSWORD).await;
    let (status, _) = jan.get("/admin/accounts").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "editors do not manage accounts"
    );

    let mut admin = Client::new(&t);
    admin.login("beheer", PASSWORD).await;
    let (status, page) = admin.get("/admin/accounts").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&page, "csrf");
    let (status, body) = admin
        .post(
            "/admin/accounts",
            &[
                ("csrf", &csrf),
                ("name", "Petra"),
                ("role", "publisher"),
                ("team", ""),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Deze inlognaam kan niet"), "{body}");
    let (status, body) = admin
        .post(
            "/admin/accounts",
            &[
                ("csrf", &csrf),
                ("name", "petra"),
                ("display_name", "Petra de Vries"),
                ("role", "publisher"),
                ("team", "Burgerzaken"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let made = body
        .split("Het wachtwoord is ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let mut petra = Client::new(&t);
    let (status, _) = petra.login("petra", &made).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the shown password works");

    let (status, _) = admin
        .post("/admin/accounts/jan/uitschakelen", &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = jan.get("/admin").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "jan's session ended");
    let (status, _) = jan.login("jan", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "and he cannot log in again"
    );
    let (status, _) = admin
        .post("/admin/accounts/beheer/uitschakelen", &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "not your own account");
    admin
        .post("/admin/accounts/jan/inschakelen", &[("csrf", &csrf)])
        .await;
    let (status, _) = jan.login("jan", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_publisher_schedules_unpublishes_compares_and_reverts() {
    let t = example_hub().await;
    user(&t, "petra", Role::Publisher, None).await;
    let id = product_id(&t, "paspoort-aanvragen").await;
    let path = format!("/admin/product/{id}");
    let mut c = Client::new(&t);
    c.login("petra", PASSWORD).await;
    let (_, page) = c.get(&path).await;
    let csrf = hidden(&page, "csrf");

    // A planned unpublish puts it on the worklist as expiring.
    let soon = bron::hub::ms_to_datetime(bron::hub::now_ms() + 3 * 86_400_000);
    let (status, _) = c
        .post(
            &format!("{path}/schedule"),
            &[
                ("csrf", &csrf),
                ("publish_at", ""),
                ("unpublish_at", &soon[..16]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, worklist) = c.get("/admin?team=*").await;
    let expiring = &worklist[worklist.find("id=\"verloopt\"").unwrap()..];
    let expiring = &expiring[..expiring.find("</section>").unwrap()];
    assert!(expiring.contains("Paspoort aanvragen"), "{expiring}");
    // A time that is not one is refused with the reason, nothing changed.
    let (status, body) = c
        .post(
            &format!("{path}/schedule"),
            &[("csrf", &csrf), ("publish_at", "morgen")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Planning niet opgeslagen"), "{body}");

    // Two edits, then the history compares any two versions and reverts.
    for summary in ["Eerste nieuwe samenvatting.", "Tweede nieuwe samenvatting."] {
        let (_, page) = c.get(&path).await;
        let (status, _) = post_pairs(
            &mut c,
            &path,
            &form_of(&page, &[("f.summary", summary), ("action", "save")]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let now = t.hub.get_any(&Viewer::cli(), &id).await.unwrap().unwrap();
    let v = now.version;
    let (status, history) = c
        .get(&format!("{path}/geschiedenis?a={}&b={v}", v - 2))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(history.contains(&format!("Verschil tussen versie {} en versie {v}", v - 2)));
    assert!(
        history.contains("<ins>Tweede nieuwe samenvatting.</ins>"),
        "{history}"
    );
    let (status, _) = c
        .post(
            &format!("{path}/terugzetten"),
            &[
                ("csrf", &csrf),
                ("version", &v.to_string()),
                ("to", &(v - 2).to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let reverted = t.hub.get_any(&Viewer::cli(), &id).await.unwrap().unwrap();
    assert_eq!(reverted.version, v + 1);
    assert_eq!(
        reverted.fields["summary"],
        now_summary_before(&t, &id, v - 2).await
    );

    // Other live texts link to the passport: it cannot go offline alone,
    // and the page says why.
    let (_, page) = c.get(&path).await;
    assert!(page.contains("Offline halen"));
    let (status, body) = c
        .post(&format!("{path}/unpublish"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Niet offline gehaald"), "{body}");
    assert!(body.contains("refers to it"), "the API's reason: {body}");
    assert!(
        t.hub
            .get_any(&Viewer::anonymous(), &id)
            .await
            .unwrap()
            .is_some()
    );
    // A product nothing refers to goes offline.
    let lone = t
        .hub
        .create(
            &Viewer::cli(),
            bron::hub::NewItem {
                type_name: "product".into(),
                fields: serde_json::from_value(
                    json!({"title": "Tijdelijke regeling", "summary": "Alleen deze winter."}),
                )
                .unwrap(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let lone_id = lone.item.id.clone();
    t.hub
        .publish(&Viewer::cli(), std::slice::from_ref(&lone_id), None)
        .await
        .unwrap();
    let (status, _) = c
        .post(
            &format!("/admin/product/{lone_id}/unpublish"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        t.hub
            .get_any(&Viewer::anonymous(), &lone_id)
            .await
            .unwrap()
            .is_none(),
        "taken offline"
    );
}

async fn now_summary_before(t: &TestHub, id: &str, version: i64) -> serde_json::Value {
    let revs = t.hub.revisions(&Viewer::cli(), id).await.unwrap();
    let r = revs.iter().find(|r| r.version == version).unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.content).unwrap();
    v["fields"]["summary"].clone()
}

#[tokio::test]
async fn a_facts_page_lists_where_it_is_used() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let fact = t
        .hub
        .get(
            &Viewer::cli(),
            "fact",
            &ItemKey::Slug {
                locale: "nl".into(),
                slug: "paspoort-tarief-18-plus".into(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let mut c = Client::new(&t);
    c.login("jan", PASSWORD).await;
    let (status, list) = c.get("/admin/fact?q=paspoort").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(&format!("/admin/fact/{}", fact.id)),
        "found by title: {list}"
    );
    let (_, page) = c.get(&format!("/admin/fact/{}", fact.id)).await;
    let used = &page[page.find("id=\"gebruikt\"").unwrap()..];
    assert!(used.contains("Paspoort aanvragen"), "{used}");
}

#[tokio::test]
async fn readability_hints_name_the_jargon_editors_keep() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let id = product_id(&t, "paspoort-aanvragen").await;
    let path = format!("/admin/product/{id}");
    let mut c = Client::new(&t);
    c.login("jan", PASSWORD).await;
    let (_, page) = c.get(&path).await;
    let text = "Indien u de leges niet betaalt, wordt uw aanvraag door de gemeente niet in behandeling genomen en ontvangt u van ons binnen een termijn van vier weken na ontvangst een schriftelijke beslissing.";
    let (status, body) = post_pairs(
        &mut c,
        &path,
        &form_of(&page, &[("f.introduction", text), ("action", "preview")]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let field = &body[body.find("id=\"veld-introduction\"").unwrap()..];
    let field = &field[..field.find("id=\"veld-procedure\"").unwrap()];
    for hint in [
        "Vaktaal: &#39;Indien&#39;. Schrijf liever: &#39;als&#39;.",
        "Vaktaal: &#39;leges&#39;. Schrijf liever: &#39;kosten&#39;.",
        "Deze zin heeft 32 woorden",
        "lijdende vorm",
    ] {
        assert!(field.contains(hint), "{hint}: {field}");
    }
    // A term added to the list counts at once.
    let (_, list) = c.get("/admin/jargon/new").await;
    let (status, _) = post_pairs(
        &mut c,
        "/admin/jargon/new",
        &form_of(
            &list,
            &[
                ("f.term", "schriftelijke beslissing"),
                ("f.plain", "brief"),
                ("action", "save"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = post_pairs(
        &mut c,
        &path,
        &form_of(&page, &[("f.introduction", text), ("action", "preview")]),
    )
    .await;
    assert!(body.contains("Schrijf liever: &#39;brief&#39;"), "{body}");
}

#[tokio::test]
async fn people_change_their_own_password() {
    let t = example_hub().await;
    user(&t, "jan", Role::Editor, None).await;
    let mut c = Client::new(&t);
    c.login("jan", PASSWORD).await;
    let (status, page) = c.get("/admin/wachtwoord").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&page, "csrf");
    let new = "een nieuwe lange zin als wachtwoord";
    for (current, n, again, says) in [
        (
            "fout wachtwoord!!",
            new,
            new,
            "Uw huidige wachtwoord klopt niet.",
        ),
        (PASSWORD, new, "iets anders", "niet gelijk"),
        (PASSWORD, "kort", "kort", "minstens 12 tekens"),
    ] {
        let (status, body) = c
            .post(
                "/admin/wachtwoord",
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", n),
                    ("again", again),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{says}");
        assert!(body.contains(says), "{says}: {body}");
    }
    let (status, body) = c
        .post(
            "/admin/wachtwoord",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("again", new),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Uw wachtwoord is gewijzigd."), "{body}");
    assert!(t.hub.check_login("jan", PASSWORD).await.unwrap().is_none());
    assert!(t.hub.check_login("jan", new).await.unwrap().is_some());
}
