//! The harness itself, against a tiny local site: forms, keyboard, cookies,
//! screenshots, scripts, and axe finding the faults it should.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Browser, Violation, ViolationNode};

/// The smoke test's pages, all sent with a strict Content-Security-Policy:
/// a form (which sets two cookies), the page it submits to, and a page with
/// deliberate accessibility faults and an inline script the policy blocks.
fn fixture_response(target: &str) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let name: String = query.trim_start_matches("name=").replace('+', " ");
    let name: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect();
    let (status, title, body) = match path {
        "/" => ("200 OK", "Greeting form", FORM.to_string()),
        "/hello" => (
            "200 OK",
            "Greeting",
            format!("<p id=\"greeting\">Hello, {name}!</p>"),
        ),
        "/bad" => ("200 OK", "Bad page", BAD.to_string()),
        _ => ("404 Not Found", "Not found", String::new()),
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         </head><body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    let cookies = if path == "/" { COOKIES } else { "" };
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Security-Policy: default-src 'self'\r\n{cookies}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{html}",
        html.len()
    )
}

const COOKIES: &str = "Set-Cookie: sid=s3cret; Path=/; HttpOnly; SameSite=Strict\r\n\
                       Set-Cookie: theme=dark; Path=/; SameSite=Lax\r\n";
const FORM: &str = "<form action=\"/hello\"><label for=\"name\">Your name</label> \
                    <input id=\"name\" name=\"name\" value=\"placeholder\"> \
                    <button type=\"submit\">Greet me</button></form>";
const BAD: &str = "<img src=\"/nothing.png\"><input id=\"q\" type=\"text\">\
                   <script>document.title = 'inline script ran';</script>";

/// Serves `fixture_response` on a free loopback port until the binary ends.
fn fixture_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            // A connection of its own each: Chromium opens some it never uses.
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let (mut req, mut chunk) = (Vec::new(), [0u8; 2048]);
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&chunk[..n]),
                    }
                }
                let req = String::from_utf8_lossy(&req);
                let target = req.split(' ').nth(1).unwrap_or("/");
                let _ = s.write_all(fixture_response(target).as_bytes());
            });
        }
    });
    base
}

#[test]
fn the_harness_drives_chromium_and_finds_accessibility_faults() {
    let started = Instant::now();
    let Some(b) = Browser::start_or_skip() else {
        return;
    };
    let base = fixture_server();
    eprintln!("browser started in {:?}", started.elapsed());

    b.goto(&format!("{base}/"));
    assert_eq!(b.title(), "Greeting form");
    assert!(b.source().contains("value=\"placeholder\""));
    b.assert_accessible("the greeting form");

    // Cookies as the server set them; scripts cannot read the HttpOnly one.
    let sid = b.cookie("sid").expect("the sid cookie");
    assert_eq!(
        (&sid["value"], &sid["httpOnly"]),
        (&json!("s3cret"), &json!(true)),
        "{sid}"
    );
    assert_eq!(sid["sameSite"], "Strict", "{sid}");
    assert_eq!(b.cookie("theme").unwrap()["httpOnly"], false);
    assert_eq!(b.execute("return document.cookie", vec![]), "theme=dark");

    // The keyboard reaches the field first; typing replaces what was there.
    b.press_tab();
    b.press_tab();
    b.press_shift_tab();
    let field = b.find("#name");
    assert_eq!(b.active_element().attr("id").as_deref(), Some("name"));
    let focused = b.execute(
        "return arguments[0] === document.activeElement",
        vec![field.as_arg()],
    );
    assert_eq!(focused, true);
    assert_eq!(field.prop("value"), "placeholder");
    b.fill("#name", "Anna de Vries");
    assert_eq!(field.prop("value"), "Anna de Vries");
    assert_eq!(b.find_all("main input, main button").len(), 2);
    b.click("button[type=submit]");
    assert_eq!(b.text("#greeting"), "Hello, Anna de Vries!");
    assert!(
        b.url().ends_with("/hello?name=Anna+de+Vries"),
        "{}",
        b.url()
    );
    assert!(!b.exists("#name"));
    b.back();
    let field = b.find("#name");
    assert!(field.tag() == "input" && field.displayed());

    let png = b.screenshot_png();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    b.save_screenshot(b.wd.dir().join("form.png"));
    let late = "const done = arguments[1]; setTimeout(() => done(arguments[0] * 2), 10);";
    assert_eq!(b.execute_async(late, vec![json!(21)]), 42);
    b.set_window_size(800, 600);
    assert_eq!(b.execute("return window.outerWidth", vec![]), 800);
    b.delete_cookie("sid");
    assert!(b.cookie("sid").is_none());

    // The faulty page: the policy stops its inline script, but not axe.
    b.goto(&format!("{base}/bad"));
    assert_eq!(
        b.title(),
        "Bad page",
        "the inline script ran despite the CSP"
    );
    let found: Vec<Violation> = b.axe();
    let ids: Vec<&str> = found.iter().map(|v| v.id.as_str()).collect();
    assert!(
        ids.contains(&"image-alt") && ids.contains(&"label"),
        "{ids:?}"
    );
    let report: String = found.iter().map(|v| v.to_string()).collect();
    assert!(report.contains("<img src=\"/nothing.png\">"), "{report}");
    let unlabelled = |n: &ViolationNode| n.target == "#q" && n.html.starts_with("<input");
    assert!(
        found.iter().flat_map(|v| &v.nodes).any(unlabelled),
        "{report}"
    );
    eprintln!("{report}browser smoke test took {:?}", started.elapsed());
}
