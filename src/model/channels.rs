//! Checking `channels.toml`: the channel list (names, styles, limits, the
//! web channel's heading level and item addresses) and the route texts per
//! locale. Each problem starts with the file and the key.

use std::collections::{BTreeMap, HashSet};

use super::load::{RawChannels, RawRoutes};
use super::validate::is_identifier;
use super::{ChannelDef, ChannelStyle, Routes};

pub(super) fn check_channels(
    file: &str,
    raw: RawChannels,
    problems: &mut Vec<String>,
) -> Vec<ChannelDef> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, c) in raw.channels.into_iter().enumerate() {
        let key = format!("channels[{i}]");
        if !is_identifier(&c.name) {
            problems.push(format!(
                "{file}: {key}.name: `{}` is not a valid name (lowercase letters, digits and _)",
                c.name
            ));
        }
        if !seen.insert(c.name.clone()) {
            problems.push(format!(
                "{file}: {key}.name: duplicate channel `{}`",
                c.name
            ));
        }
        let max_length = match c.max_length {
            Some(n) if n <= 0 => {
                problems.push(format!(
                    "{file}: {key}.max_length: must be a positive number, got {n}"
                ));
                None
            }
            n => n.map(|n| n as usize),
        };
        let style = match ChannelStyle::parse(c.style.as_deref().unwrap_or(&c.name)) {
            Some(style) => style,
            // An invalid name is reported above; its style goes with it.
            None if c.style.is_none() && !is_identifier(&c.name) => ChannelStyle::Web,
            None => {
                problems.push(match &c.style {
                    Some(s) => format!(
                        "{file}: {key}.style: unknown style `{s}`; use web, chatbot, kcc or letter"
                    ),
                    None => format!(
                        "{file}: {key}.style: missing: the channel `{}` is not one of web, chatbot, kcc or letter, so say how it renders with style = \"web\", \"chatbot\", \"kcc\" or \"letter\"",
                        c.name
                    ),
                });
                ChannelStyle::Web
            }
        };
        let heading_level = match c.heading_level {
            None => 1,
            Some(n @ 1..=4) => n as u8,
            Some(n) => {
                problems.push(format!(
                    "{file}: {key}.heading_level: must be 1 to 4 (the heading level of an item's title), got {n}"
                ));
                1
            }
        };
        if let Some(url) = &c.item_url
            && !(url.contains("{slug}") && (url.starts_with('/') || url.starts_with("https://")))
        {
            problems.push(format!(
                "{file}: {key}.item_url: `{url}` must start with / or https:// and contain {{slug}} (and may contain {{type}}, {{plural}}, {{locale}})"
            ));
        }
        out.push(ChannelDef {
            label: c.label.unwrap_or_else(|| c.name.clone()),
            name: c.name,
            description: c.description,
            internal: c.internal,
            max_length,
            style,
            heading_level,
            item_url: c.item_url,
        });
    }
    if out.is_empty() {
        problems.push(format!("{file}: channels: declare at least one channel"));
    }
    out
}

/// The routes outside the website, per locale: texts that may use facts.
pub(super) fn check_routes(
    file: &str,
    raw: &BTreeMap<String, RawRoutes>,
    problems: &mut Vec<String>,
) -> BTreeMap<String, Routes> {
    let mut out = BTreeMap::new();
    for (locale, r) in raw {
        let ok = locale.len() >= 2
            && locale
                .split('-')
                .next()
                .is_some_and(|l| l.bytes().all(|b| b.is_ascii_lowercase()));
        if !ok {
            problems.push(format!(
                "{file}: routes.{locale}: must be a language code such as nl, en or nl-BE"
            ));
        }
        for (key, text) in [
            ("desk", &r.desk),
            ("phone", &r.phone),
            ("post", &r.post),
            ("help", &r.help),
        ] {
            if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
                problems.push(format!(
                    "{file}: routes.{locale}.{key}: empty text; leave the key out instead"
                ));
            }
        }
        out.insert(
            locale.clone(),
            Routes {
                desk: r.desk.clone(),
                phone: r.phone.clone(),
                post: r.post.clone(),
                help: r.help.clone(),
            },
        );
    }
    out
}
