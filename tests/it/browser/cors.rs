//! CORS in a real browser: a page served from one origin calls a real
//! `bron serve` with a token (so Chromium sends a preflight); the origin
//! the operator allowed gets its answer, another origin's page is refused
//! by the browser itself.

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::Value;

use super::{Bron, Browser};

/// A one-page site on its own port (its own origin).
fn site() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let page =
                "<!doctype html><html lang=\"nl\"><title>Gemeentesite</title><p>Site</p></html>";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    format!("http://{addr}")
}

/// What a `fetch` from the current page to Bron's API gives: the status
/// and `__typename`, or the browser's error.
fn call(b: &Browser, api: &str) -> Value {
    b.execute_async(
        "const done = arguments[arguments.length - 1];
         fetch(arguments[0], {method: 'POST', headers: {'content-type': 'application/json',
           'authorization': 'Bearer bron_niet_geldig'}, body: JSON.stringify({query: '{ __typename }'})})
           .then(r => r.json().then(j => done({status: r.status, body: j})))
           .catch(e => done({error: String(e)}));",
        vec![Value::String(format!("{api}/graphql"))],
    )
}

#[test]
fn a_page_from_an_allowed_origin_may_call_the_api_and_another_may_not() {
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let allowed = site();
    let other = site();
    let bron = Bron::serve(&[("BRON_CORS_ORIGINS", allowed.as_ref())]);
    let api = format!("http://{}", bron.addr);

    b.goto(&allowed);
    let r = call(&b, &api);
    // The token is not a real one: the API answers 401 in JSON, and the
    // page can read it because its origin is allowed.
    assert_eq!(r["status"], 401, "{r}");
    assert_eq!(
        r["body"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{r}"
    );

    b.goto(&other);
    let r = call(&b, &api);
    assert!(
        r["error"]
            .as_str()
            .is_some_and(|e| e.contains("Failed to fetch")),
        "the browser refuses the answer: {r}"
    );
}
