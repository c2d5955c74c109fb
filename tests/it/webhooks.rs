//! Webhooks against a real receiving HTTP server on loopback: signed
//! deliveries naming the items changed through a change, retries while the
//! receiver is down, deliveries surviving a restart, private targets
//! refused; and the change feed as a polling client reads it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use bron::hub::{Hub, Role, Viewer};
use bron::model::ContentModel;
use bron::store::Store;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::support::{TestHub, code, example_hub, repo};

/// What the receiver got: the three signature headers and the body.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A webhook receiver on loopback that records every POST and answers
/// 503 while it is "down".
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    down: Arc<std::sync::atomic::AtomicBool>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let down: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let (g, d) = (got.clone(), down.clone());
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| {
                let (g, d) = (g.clone(), d.clone());
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string()
                    };
                    g.lock().unwrap().push(Received {
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp"),
                        signature: h("webhook-signature"),
                        body,
                    });
                    if d.load(std::sync::atomic::Ordering::SeqCst) {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::NO_CONTENT
                    }
                }
            }),
        );
        // A redirect to the receiver itself, which Bron must not follow.
        let app = app.route(
            "/moved",
            post(|| async {
                (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(axum::http::header::LOCATION, "/hook")],
                )
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://{addr}/hook"),
            got,
            down,
        }
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` posts arrived (or 10 s).
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            if self.got().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.got()
    }
}

/// Checks a delivery's signature the way a receiver would, with the HMAC
/// crate directly (not Bron's own signing function).
fn signature_ok(secret: &str, r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", r.id, r.timestamp, r.body).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    r.signature
        .split(' ')
        .any(|s| s == format!("v1,{expected}"))
}

const CREATE: &str = "mutation($url: String!, $events: [ChangeEvent!], $types: [String!]) {
  createWebhook(url: $url, events: $events, types: $types) { secret webhook { id url events types enabled } } }";

async fn register(t: &TestHub, admin: &str, url: &str, vars: Value) -> (String, String) {
    let mut v = json!({ "url": url });
    v.as_object_mut()
        .unwrap()
        .extend(vars.as_object().unwrap().clone());
    let d = t.ok(Some(admin), CREATE, v).await;
    let made = &d["createWebhook"];
    (
        made["webhook"]["id"].as_str().unwrap().to_string(),
        made["secret"].as_str().unwrap().to_string(),
    )
}

/// Queues and sends until nothing is due (what `bron serve` does every second).
async fn run_round(hub: &Hub) {
    hub.dispatch_webhooks().await.unwrap();
    hub.deliver_webhooks().await.unwrap();
}

fn value(v: &str) -> serde_json::Map<String, Value> {
    json!({ "value": v }).as_object().unwrap().clone()
}

#[tokio::test]
async fn a_fact_change_reaches_a_real_receiver_signed_with_the_products_that_show_it() {
    let t = example_hub().await;
    t.hub.set_webhooks_allow_private(true);
    let receiver = Receiver::start().await;
    let admin = t.token(Role::Admin).await;
    let publisher = t.token(Role::Publisher).await;
    let (hook, secret) = register(&t, &admin, &receiver.url, json!({})).await;
    assert!(secret.starts_with("whsec_"));

    t.set_fact(&publisher, "bezwaartermijn", "zes weken").await;
    // The real background task, as `bron serve` runs it.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = bron::server::spawn_webhooks(t.hub.clone(), stopped);
    let got = receiver.wait_for(1).await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(15), task)
        .await
        .expect("the webhook task stops when asked")
        .unwrap();

    assert_eq!(got.len(), 1, "{got:?}");
    let r = &got[0];
    assert!(
        signature_ok(&secret, r),
        "the signature does not check out: {r:?}"
    );
    assert!(!signature_ok("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", r));
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["event"], "published");
    assert_eq!(body["deliveryId"], r.id.as_str());
    assert_eq!(body["webhookId"], hook.as_str());
    assert_eq!(body["items"][0]["type"], "fact");
    assert_eq!(body["items"][0]["slug"], "bezwaartermijn");
    assert_eq!(body["items"][0]["action"], "publish");
    // The items whose text shows the fact changed through it (and the
    // items that refer to those), nearest first: the public's `usedBy`.
    let affected = body["affected"].as_array().unwrap();
    assert_eq!(body["affectedComplete"], true);
    let used = t
        .ok(
            None,
            "{ fact(slug: \"bezwaartermijn\") { usedBy(first: 50) { id } } }",
            json!({}),
        )
        .await;
    let mut want: Vec<&str> = used["fact"]["usedBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    let mut have: Vec<&str> = affected[..want.len()]
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    want.sort();
    have.sort();
    assert_eq!(have, want);
    // Beyond them, only items that refer to those.
    assert!(affected.len() > want.len(), "{body}");

    // The delivery log, through GraphQL.
    let log = t
        .ok(
            Some(&admin),
            "{ webhooks { id delivered pending failed deliveries { id event status attempts responseStatus error } } }",
            json!({}),
        )
        .await;
    let w = &log["webhooks"][0];
    assert_eq!(w["delivered"], 1);
    let d = &w["deliveries"][0];
    assert_eq!(d["id"], r.id.as_str());
    assert_eq!(d["event"], "PUBLISHED");
    assert_eq!(d["status"], "DELIVERED");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["responseStatus"], 204);
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_the_delivery_when_it_is_back_with_the_same_id() {
    let t = example_hub().await;
    t.hub.set_webhooks_allow_private(true);
    t.hub.set_webhook_first_retry(Duration::from_millis(100));
    let receiver = Receiver::start().await;
    receiver
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let admin = t.token(Role::Admin).await;
    let publisher = t.token(Role::Publisher).await;
    let (hook, _) = register(&t, &admin, &receiver.url, json!({})).await;
    t.set_fact(&publisher, "bezwaartermijn", "vier weken").await;

    // Two refused attempts, the second after the first retry delay.
    run_round(&t.hub).await;
    run_round(&t.hub).await; // not due yet: no attempt
    assert_eq!(receiver.got().len(), 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    run_round(&t.hub).await;
    assert_eq!(receiver.got().len(), 2);
    let log = t
        .hub
        .webhook_deliveries(&Viewer::cli(), &hook, None, 10)
        .await
        .unwrap();
    assert_eq!(log[0].status, "pending");
    assert_eq!(log[0].attempts, 2);
    assert_eq!(log[0].response_status, Some(503));
    assert!(log[0].last_error.as_deref().unwrap().contains("503"));

    // Back up: the next attempt (after 200 ms) is delivered.
    receiver
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(250)).await;
    run_round(&t.hub).await;
    let got = receiver.got();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "one delivery id on every attempt"
    );
    let log = t
        .hub
        .webhook_deliveries(&Viewer::cli(), &hook, None, 10)
        .await
        .unwrap();
    assert_eq!(log[0].status, "delivered");
    assert_eq!(log[0].attempts, 3);
    // The attempts are counted in the metrics, by outcome.
    let metrics = t.hub.metrics().render();
    for (outcome, n) in [("delivered", 1), ("failed", 2), ("gave_up", 0)] {
        let line = format!("bron_webhook_deliveries_total{{outcome=\"{outcome}\"}} {n}");
        assert!(
            metrics.lines().any(|l| l == line),
            "no `{line}` in\n{metrics}"
        );
    }
    // Nothing more is sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    run_round(&t.hub).await;
    assert_eq!(receiver.got().len(), 3);
}

#[tokio::test]
async fn queued_deliveries_and_unread_changes_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bron.db");
    let model = Arc::new(ContentModel::load(&repo().join("content-model")).unwrap());
    let open = || async {
        let hub = Hub::new(model.clone(), Store::open(&db).await.unwrap())
            .await
            .unwrap();
        hub.set_webhooks_allow_private(true);
        hub.set_webhook_first_retry(Duration::from_millis(50));
        hub
    };
    // A port where nothing listens yet.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/hook");
    let cli = Viewer::cli();
    let webhook = {
        let hub = open().await;
        bron::server::seed_if_empty(&hub, &repo().join("examples/content"))
            .await
            .unwrap();
        let made = hub
            .create_webhook(
                &cli,
                bron::hub::WebhookInput {
                    url: Some(url.clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        hub.set_fact(&cli, "bezwaartermijn", "nl", value("acht weken"), None)
            .await
            .unwrap();
        run_round(&hub).await;
        let log = hub
            .webhook_deliveries(&cli, &made.webhook.id, None, 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, "pending");
        assert!(
            log[0].last_error.as_deref().unwrap().contains("onnect"),
            "{:?}",
            log[0].last_error
        );
        // A change nobody dispatched before the "crash".
        hub.set_fact(&cli, "bezwaartermijn", "nl", value("zes weken"), None)
            .await
            .unwrap();
        hub.close().await;
        made.webhook.id
    };

    // The receiver comes up on that port; a new process opens the store.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: String| {
            let g = g.clone();
            async move {
                g.lock().unwrap().push(body);
                StatusCode::OK
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let hub = open().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    run_round(&hub).await;
    run_round(&hub).await;
    let bodies: Vec<Value> = got
        .lock()
        .unwrap()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    let log = hub
        .webhook_deliveries(&cli, &webhook, None, 10)
        .await
        .unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().all(|d| d.status == "delivered"), "{log:?}");
    // Each fact change was delivered once: the queued one and the unread one.
    let mut seqs: Vec<i64> = bodies
        .iter()
        .map(|b| b["firstSeq"].as_i64().unwrap())
        .collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 2, "{bodies:?}");
    hub.close().await;
}

#[tokio::test]
async fn private_and_loopback_targets_are_refused_unless_the_operator_allows_them() {
    let t = example_hub().await;
    let admin = t.token(Role::Admin).await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hook",
        "file:///etc/passwd",
        "http://user:secret@example.nl/hook",
    ] {
        let e = t.err(Some(&admin), CREATE, json!({"url": url})).await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{url}: {e}");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("cannot be a webhook target"),
            "{e}"
        );
    }
    let e = t
        .err(
            Some(&admin),
            CREATE,
            json!({"url": "http://127.0.0.1:9000/hook"}),
        )
        .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("--webhooks-allow-private"),
        "{e}"
    );
    assert!(t.hub.webhooks(&Viewer::cli()).await.unwrap().is_empty());

    // Allowed by the operator, then forbidden again: the delivery is refused
    // at sending time too, by name and by address.
    t.hub.set_webhooks_allow_private(true);
    let receiver = Receiver::start().await;
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let (a, _) = register(&t, &admin, &receiver.url, json!({})).await;
    let (b, _) = register(&t, &admin, &by_name, json!({})).await;
    t.hub.set_webhooks_allow_private(false);
    let publisher = t.token(Role::Publisher).await;
    t.set_fact(&publisher, "bezwaartermijn", "negen weken")
        .await;
    run_round(&t.hub).await;
    assert!(receiver.got().is_empty(), "a refused target got a request");
    for (hook, words) in [
        (a, "127.0.0.1 is a loopback address"),
        (b, "resolves to a loopback address"),
    ] {
        let log = t
            .hub
            .webhook_deliveries(&Viewer::cli(), &hook, None, 5)
            .await
            .unwrap();
        let error = log[0].last_error.clone().unwrap_or_default();
        assert!(error.contains(words), "{error}");
        assert_eq!(log[0].status, "pending");
    }
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_read_their_log() {
    let t = example_hub().await;
    let editor = t.token(Role::Editor).await;
    let e = t
        .err(
            Some(&editor),
            CREATE,
            json!({"url": "https://example.nl/hook"}),
        )
        .await;
    assert_eq!(code(&e), "FORBIDDEN");
    let e = t.err(None, "{ webhooks { id } }", json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    let admin = t.token(Role::Admin).await;
    // Bad settings are refused whole.
    for (vars, field) in [
        (
            json!({"url": "https://93.184.216.34/h", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://93.184.216.34/h", "types": ["nope"]}),
            "types",
        ),
    ] {
        let e = t.err(Some(&admin), CREATE, vars).await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
        assert!(e["message"].as_str().unwrap().contains(field), "{e}");
    }
    let (id, _) = register(
        &t,
        &admin,
        "https://93.184.216.34/h",
        json!({"events": ["PUBLISHED"], "types": ["product"]}),
    )
    .await;
    let d = t
        .ok(
            Some(&admin),
            "mutation($id: ID!) { updateWebhook(id: $id, enabled: false) { enabled events types url } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        d["updateWebhook"],
        json!({"enabled": false, "events": ["PUBLISHED"], "types": ["product"], "url": "https://93.184.216.34/h"})
    );
    // A receiver's URL may be a secret itself (a build hook's): the change
    // log, which editors read, names only its host.
    let (_, _) = register(
        &t,
        &admin,
        "https://93.184.216.34/build_hooks/s3cr3t-hook-id",
        json!({}),
    )
    .await;
    let editor = t.token(Role::Editor).await;
    let log = t
        .ok(
            Some(&editor),
            "{ changes(first: 1000) { action detail } }",
            json!({}),
        )
        .await;
    let text = log.to_string();
    assert!(text.contains("webhook_create"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
    // The secret is never read back.
    let e = t
        .err(Some(&admin), "{ webhooks { secret } }", json!({}))
        .await;
    assert_eq!(code(&e), "GRAPHQL_VALIDATION_FAILED", "{e}");
    let d = t
        .ok(
            Some(&admin),
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(d["deleteWebhook"], id.as_str());
    assert_eq!(t.hub.webhooks(&Viewer::cli()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn type_filters_match_the_item_or_the_items_changed_through_it() {
    let t = example_hub().await;
    t.hub.set_webhooks_allow_private(true);
    let receiver = Receiver::start().await;
    let admin = t.token(Role::Admin).await;
    let publisher = t.token(Role::Publisher).await;
    // Products show the fact: delivered. Jargon does not: nothing.
    register(&t, &admin, &receiver.url, json!({"types": ["product"]})).await;
    register(&t, &admin, &receiver.url, json!({"types": ["jargon"]})).await;
    // Only deletions: nothing for a fact change.
    register(&t, &admin, &receiver.url, json!({"events": ["DELETED"]})).await;
    t.set_fact(&publisher, "bezwaartermijn", "tien weken").await;
    run_round(&t.hub).await;
    let got = receiver.got();
    assert_eq!(got.len(), 1, "{got:?}");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["items"][0]["slug"], "bezwaartermijn");
}

/// A receiver on a plain socket for the test of the real binary: answers
/// every POST with 204 and sends its body on.
fn socket_receiver() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = conn.write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n");
            let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
        }
    });
    (url, rx)
}

#[test]
fn bron_serve_delivers_to_a_webhook_added_from_the_command_line_and_stops_cleanly() {
    use crate::cli::{bron, post, run, start_server_with};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (url, bodies) = socket_receiver();
    let (mut child, addr) = start_server_with(data, &[("BRON_WEBHOOKS_ALLOW_PRIVATE", "true")]);
    // The command line checks the target too.
    let (ok, _, err) = run(bron(data).args(["webhook", "add", "--url", &url]));
    assert!(
        !ok,
        "a loopback target was accepted without --allow-private"
    );
    assert!(err.contains("--webhooks-allow-private"), "{err}");
    let (ok, secret, err) = run(bron(data).args([
        "webhook",
        "add",
        "--url",
        &url,
        "--allow-private",
        "--type",
        "product",
    ]));
    assert!(ok, "{err}");
    assert!(secret.trim().starts_with("whsec_"), "{secret}");
    let (ok, token, err) =
        run(bron(data).args(["token", "create", "--role", "publisher", "--name", "p"]));
    assert!(ok, "{err}");
    // A fact changes while the server runs; the products showing it changed.
    let body = r#"{"query":"mutation { setFact(slug: \"bezwaartermijn\", value: \"zes weken\") { item { id } } }"}"#;
    let (status, answer) = post(&addr, token.trim(), body).unwrap();
    assert_eq!(status, 200, "{answer}");
    let got = bodies
        .recv_timeout(Duration::from_secs(10))
        .expect("no delivery within 10 s");
    let got: Value = serde_json::from_str(&got).unwrap();
    assert_eq!(got["event"], "published");
    assert!(
        got["affected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"] == "product")
    );
    let (ok, list, _) = run(bron(data).args(["webhook", "list"]));
    assert!(ok);
    assert!(list.contains("delivered 1"), "{list}");
    // SIGTERM: the webhook sender and the scheduler stop, the exit is clean.
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    crate::cli::exits_zero_within(&mut child, Duration::from_secs(20));
}

#[tokio::test]
async fn a_chosen_secret_signs_deliveries_and_a_rotated_one_takes_over_at_once() {
    let t = example_hub().await;
    t.hub.set_webhooks_allow_private(true);
    let receiver = Receiver::start().await;
    let admin = t.token(Role::Admin).await;
    let publisher = t.token(Role::Publisher).await;
    let with_secret = "mutation($url: String!, $secret: String) {
      createWebhook(url: $url, secret: $secret) { secret } }";
    let e = t
        .err(
            Some(&admin),
            with_secret,
            json!({"url": receiver.url, "secret": "hunter2"}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    assert!(e["message"].as_str().unwrap().contains("whsec_"), "{e}");
    let first = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode([7u8; 32])
    );
    let (id, secret) = register(&t, &admin, &receiver.url, json!({})).await;
    assert_ne!(secret, first);
    t.ok(
        Some(&admin),
        "mutation($id: ID!, $s: String) { updateWebhook(id: $id, secret: $s) { id } }",
        json!({"id": id, "s": first}),
    )
    .await;
    t.set_fact(&publisher, "bezwaartermijn", "drie weken").await;
    run_round(&t.hub).await;
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    assert!(
        signature_ok(&first, &got[0]),
        "signed with the rotated secret"
    );
    assert!(
        !signature_ok(&secret, &got[0]),
        "the old secret no longer signs"
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let t = example_hub().await;
    t.hub.set_webhooks_allow_private(true);
    let receiver = Receiver::start().await;
    let admin = t.token(Role::Admin).await;
    let publisher = t.token(Role::Publisher).await;
    let moved = receiver.url.replace("/hook", "/moved");
    let (id, _) = register(&t, &admin, &moved, json!({})).await;
    t.set_fact(&publisher, "bezwaartermijn", "twee weken").await;
    run_round(&t.hub).await;
    assert!(receiver.got().is_empty(), "the redirect was followed");
    let log = t
        .hub
        .webhook_deliveries(&Viewer::cli(), &id, None, 5)
        .await
        .unwrap();
    assert_eq!(log[0].response_status, Some(307));
    assert_eq!(log[0].status, "pending");
}
