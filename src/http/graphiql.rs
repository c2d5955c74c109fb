//! GraphiQL, the in-browser query editor at `GET /graphql`: its page, and
//! where its scripts come from. By default from unpkg.com, pinned by
//! version and checked by the browser against integrity hashes; an
//! operator who may not send visitors' addresses to a third party points
//! Bron at a local copy of the same four files (`--graphiql-assets DIR`),
//! served at `/graphql/assets/`. The hashes hold for both, so a changed
//! file is refused by the browser either way. `--graphiql off` serves no
//! page at all.

use std::path::PathBuf;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const PAGE: &str = include_str!("graphiql.html");

/// The files GraphiQL needs: (name served, address on unpkg).
pub const ASSETS: [(&str, &str); 4] = [
    (
        "graphiql.min.css",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.css",
    ),
    (
        "react.production.min.js",
        "https://unpkg.com/react@18.3.1/umd/react.production.min.js",
    ),
    (
        "react-dom.production.min.js",
        "https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js",
    ),
    (
        "graphiql.min.js",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.js",
    ),
];

/// Where GraphiQL comes from, or that it is off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Graphiql {
    /// From unpkg.com, with integrity hashes.
    #[default]
    Cdn,
    /// From this directory, served at `/graphql/assets/`.
    Local(PathBuf),
    Off,
}

impl Graphiql {
    /// Checks that a local copy has all four files.
    pub fn local(dir: PathBuf) -> Result<Graphiql, String> {
        for (name, url) in ASSETS {
            if !dir.join(name).is_file() {
                return Err(format!(
                    "{} has no {name}; put the file from {url} there (the same version: the page checks its hash)",
                    dir.display()
                ));
            }
        }
        Ok(Graphiql::Local(dir))
    }

    /// The page, or None when GraphiQL is off.
    pub fn page(&self) -> Option<String> {
        match self {
            Graphiql::Off => None,
            Graphiql::Cdn => Some(PAGE.to_string()),
            Graphiql::Local(_) => {
                let mut page = PAGE.replace("from unpkg.com", "from this server");
                for (name, url) in ASSETS {
                    page = page.replace(url, &format!("/graphql/assets/{name}"));
                }
                Some(page)
            }
        }
    }

    /// One of the four files from the local copy.
    pub fn asset(&self, name: &str) -> Response {
        let Graphiql::Local(dir) = self else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let Some((name, _)) = ASSETS.iter().find(|(n, _)| *n == name) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => {
                let kind = if name.ends_with(".css") {
                    "text/css; charset=utf-8"
                } else {
                    "text/javascript; charset=utf-8"
                };
                (
                    [
                        (header::CONTENT_TYPE, kind),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    bytes,
                )
                    .into_response()
            }
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        }
    }
}

pub(super) async fn asset(
    axum::Extension(options): axum::Extension<std::sync::Arc<super::HttpOptions>>,
    Path(name): Path<String>,
) -> Response {
    options.graphiql.asset(&name)
}

/// The page for a browser, or 404 when it is off.
pub(super) fn page(options: &super::HttpOptions) -> Response {
    match options.graphiql.page() {
        Some(p) => Html(p).into_response(),
        None => super::error_response(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "GraphiQL is turned off on this server; send queries with POST or GET to /graphql",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_copy_replaces_every_cdn_address_and_keeps_the_hashes() {
        let page = Graphiql::Local(PathBuf::from("/x")).page().unwrap();
        assert!(!page.contains("unpkg.com"), "{page}");
        assert_eq!(page.matches("integrity=\"sha384-").count(), 4);
        for (name, _) in ASSETS {
            assert!(page.contains(&format!("/graphql/assets/{name}")));
        }
        let cdn = Graphiql::Cdn.page().unwrap();
        assert_eq!(cdn.matches("integrity=\"sha384-").count(), 4);
        assert!(Graphiql::Off.page().is_none());
        assert!(Graphiql::local(PathBuf::from("/nonexistent")).is_err());
    }
}
