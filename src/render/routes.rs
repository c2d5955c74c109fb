//! The routes block of a product: how it can be done (online with its login
//! level, at the desk, by phone, by post, or at another organisation), from
//! the channel-option fields and the texts of `channels.toml` `[routes]`.
//! Every channel offers the routes that are not online ("Lukt het niet
//! online?"), so nobody is stuck in one channel.

use super::{Renderer, bool_field, str_field, visible_in};

/// One way to get the product done.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// `online`, `desk`, `phone`, `post`, `referral` or `help`.
    pub kind: &'static str,
    /// The whole route as plain text, facts filled in.
    pub text: String,
    /// Where to go, and words for a link to it ("Regel het online").
    pub url: Option<String>,
    pub link_text: Option<String>,
    /// What follows the link ("U logt in met DigiD substantieel.").
    pub note: Option<String>,
}

impl Route {
    pub(super) fn plain(kind: &'static str, text: String) -> Route {
        Route {
            kind,
            text,
            url: None,
            link_text: None,
            note: None,
        }
    }
}

impl Renderer<'_, '_> {
    /// The ways to get it done, from the channel-option fields; always with
    /// a route that is not online when there is an online one.
    pub(super) fn routes(&mut self) -> Vec<Route> {
        let item = *self.item;
        let Some(ty) = self.ty else { return vec![] };
        let has = |n: &str| ty.field(n).is_some_and(|f| visible_in(f, self.ctx.channel));
        if ![
            "online_url",
            "by_appointment",
            "by_phone",
            "by_post",
            "handled_by",
        ]
        .iter()
        .any(|n| has(n))
        {
            return vec![];
        }
        let p = self.phrases();
        let mut out = Vec::new();
        if let Some(org) = has("handled_by")
            .then(|| str_field(&item, "handled_by"))
            .flatten()
        {
            let url = str_field(&item, "handled_by_url").map(String::from);
            let text = match &url {
                Some(u) => format!("{} {org}: {u}.", p.handled_by),
                None => format!("{} {org}.", p.handled_by),
            };
            out.push(Route {
                kind: "referral",
                text,
                link_text: url.as_ref().map(|_| format!("{} {org}", p.handled_by)),
                url,
                note: None,
            });
        }
        if let Some(url) = has("online_url")
            .then(|| str_field(&item, "online_url"))
            .flatten()
        {
            let login = str_field(&item, "login_level").and_then(|l| p.login(l));
            let note = login.map(|l| format!("{} {l}.", p.with_login));
            let text = match &note {
                Some(n) => format!("{}: {url}. {n}", p.online),
                None => format!("{}: {url}.", p.online),
            };
            out.push(Route {
                kind: "online",
                text,
                url: Some(url.to_string()),
                link_text: Some(p.online.to_string()),
                note,
            });
        }
        let routes = self
            .ctx
            .model
            .routes
            .get(item.locale)
            .or_else(|| self.ctx.model.routes.get("nl"))
            .cloned()
            .unwrap_or_default();
        let mut offline = 0;
        for (flag, kind, text) in [
            ("by_appointment", "desk", &routes.desk),
            ("by_phone", "phone", &routes.phone),
            ("by_post", "post", &routes.post),
        ] {
            if has(flag)
                && bool_field(&item, flag)
                && let Some(t) = text
            {
                let text = self.fill(t, item.locale);
                out.push(Route::plain(kind, text));
                offline += 1;
            }
        }
        if offline == 0
            && let Some(t) = &routes.help
        {
            let text = self.fill(t, item.locale);
            out.push(Route::plain("help", text));
        }
        out
    }

    /// The routes block in parts: the routes that come first (online, or
    /// another organisation), then a heading and the routes that are not
    /// online: "Lukt het niet online?" after an online route, "Zo regelt u
    /// het" when there is none.
    pub(super) fn route_parts<'x>(
        &self,
        routes: &'x [Route],
    ) -> (Vec<&'x Route>, &'static str, Vec<&'x Route>) {
        let p = self.phrases();
        let (first, rest): (Vec<&Route>, Vec<&Route>) = routes
            .iter()
            .partition(|r| matches!(r.kind, "online" | "referral"));
        let heading = if first.iter().any(|r| r.kind == "online") {
            p.not_online
        } else {
            p.how
        };
        (first, heading, rest)
    }

    /// The routes block as plain text.
    pub(super) fn routes_text(&self, routes: &[Route]) -> String {
        let (first, heading, rest) = self.route_parts(routes);
        let online = first.iter().any(|r| r.kind == "online");
        let mut lines: Vec<&str> = Vec::new();
        if !online {
            lines.push(heading);
        }
        lines.extend(first.iter().map(|r| r.text.as_str()));
        if online && !rest.is_empty() {
            lines.push(heading);
        }
        lines.extend(rest.iter().map(|r| r.text.as_str()));
        lines.join("\n")
    }
}
