//! Posting due deliveries. Each attempt is signed the way the Standard
//! Webhooks specification describes, so receivers can use its libraries:
//! `webhook-id` (the delivery's id, the same on every retry, to drop
//! duplicates), `webhook-timestamp` (seconds; refuse old ones against
//! replays) and `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "id.timestamp.body">`, keyed with the base64 part of the `whsec_` secret.
//!
//! A 2xx answer delivers; anything else (another status, no connection, a
//! refused address, 10 s without an answer) is retried after the first
//! retry delay, doubling each time up to an hour, [`MAX_ATTEMPTS`] times in
//! all (about 10 hours with the default 5 s), then the delivery is marked
//! failed and an admin can send it again. Redirects are not followed.

use std::time::Duration;

use base64::Engine;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::target::{PublicResolver, check_literal};
use crate::domain::DeliveryRow;
use crate::error::{Error, Result};
use crate::hub::{Hub, now_ms};
use crate::metrics::WebhookOutcome;
use crate::store::Attempt;

pub const WEBHOOK_ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// Attempts before a delivery is marked failed.
pub const MAX_ATTEMPTS: i64 = 20;
/// The longest wait between two attempts.
const MAX_DELAY_MS: i64 = 3_600_000;
/// How long one attempt may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries sent per round, and at once.
const ROUND: i64 = 50;
const PARALLEL: usize = 8;

/// The `webhook-signature` value of `body` for delivery `id` at
/// `timestamp` (seconds), with `secret` (`whsec_…`).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .map_err(|e| Error::Internal(format!("webhook secret is not base64: {e}")))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|e| Error::Internal(format!("webhook secret: {e}")))?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
fn delay_ms(first: i64, attempts: i64) -> i64 {
    let doubled = first.saturating_mul(1_i64 << (attempts - 1).clamp(0, 30));
    doubled.min(MAX_DELAY_MS)
}

/// The words of an error and its causes ("error sending request: client
/// error (Connect): tcp connect error: Connection refused").
/// The URL is left out: a receiver's URL may itself be a secret (a build
/// hook's), and this text reaches the log.
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut out = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out.chars().take(500).collect()
}

impl Hub {
    fn webhook_client(&self, allow_private: bool) -> Result<&reqwest::Client> {
        let cell = if allow_private {
            &self.webhooks.client_any
        } else {
            &self.webhooks.client_public
        };
        if let Some(c) = cell.get() {
            return Ok(c);
        }
        // reqwest is built with rustls but no crypto provider of its own;
        // ours is ring. (Installing twice is harmless.)
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("Bron-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicResolver));
        }
        let client = builder
            .build()
            .map_err(|e| Error::Internal(format!("cannot make the webhook client: {e}")))?;
        Ok(cell.get_or_init(|| client))
    }

    /// Sends the deliveries that are due, up to 50 at a time, 8 at once;
    /// returns how many were attempted.
    pub async fn deliver_webhooks(&self) -> Result<usize> {
        let now = now_ms();
        let due = self.store.due_deliveries(now, ROUND).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let allow_private = self.allow_private();
        let client = self.webhook_client(allow_private)?;
        let mut secrets = std::collections::HashMap::new();
        for d in &due {
            if !secrets.contains_key(&d.webhook_id)
                && let Some(w) = self.store.webhook(&d.webhook_id).await?
            {
                secrets.insert(d.webhook_id.clone(), (w.url, w.secret, w.enabled));
            }
        }
        let first = self
            .webhooks
            .first_retry_ms
            .load(std::sync::atomic::Ordering::Acquire);
        let attempts: Vec<(String, i64, Attempt, f64)> = futures_util::stream::iter(due)
            .map(|d| {
                let hook = secrets.get(&d.webhook_id).cloned();
                let client = client.clone();
                async move {
                    let started = std::time::Instant::now();
                    let outcome = match hook {
                        Some((url, secret, true)) => {
                            attempt(&client, &url, &secret, &d, allow_private).await
                        }
                        Some((_, _, false)) => {
                            Err((None, "the webhook was disabled meanwhile".to_string()))
                        }
                        None => Err((None, "the webhook was deleted".to_string())),
                    };
                    let at = now_ms();
                    let tries = d.attempts + 1;
                    let attempt = match outcome {
                        Ok(status) => Attempt::Delivered { status },
                        Err((status, error)) if tries >= MAX_ATTEMPTS => {
                            Attempt::Failed { status, error }
                        }
                        Err((status, error)) => Attempt::Retry {
                            status,
                            error,
                            next: at + delay_ms(first, tries),
                        },
                    };
                    (d.id, at, attempt, started.elapsed().as_secs_f64())
                }
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        let mut tx = self.store.begin().await?;
        for (id, at, attempt, seconds) in &attempts {
            let outcome = match attempt {
                Attempt::Delivered { .. } => WebhookOutcome::Delivered,
                Attempt::Retry { .. } => WebhookOutcome::Failed,
                Attempt::Failed { error, .. } => {
                    tracing::warn!(delivery = %id, error = %error, "a webhook delivery failed for good");
                    WebhookOutcome::GaveUp
                }
            };
            self.metrics().webhook_delivery(outcome, *seconds);
            tx.record_attempt(id, *at, attempt).await?;
        }
        tx.commit().await?;
        Ok(attempts.len())
    }
}

/// One POST of delivery `d`: the receiver's status, or why it failed.
async fn attempt(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    d: &DeliveryRow,
    allow_private: bool,
) -> std::result::Result<i64, (Option<i64>, String)> {
    let url = reqwest::Url::parse(url).map_err(|e| (None, format!("bad URL: {e}")))?;
    if !allow_private {
        check_literal(&url).map_err(|e| (None, e))?;
    }
    let timestamp = now_ms() / 1000;
    let signature =
        sign(secret, &d.id, timestamp, &d.payload).map_err(|e| (None, e.to_string()))?;
    let answer = client
        .post(url)
        .header("content-type", "application/json")
        .header(WEBHOOK_ID_HEADER, &d.id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature)
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| (None, describe(e)))?;
    let status = i64::from(answer.status().as_u16());
    if answer.status().is_success() {
        Ok(status)
    } else {
        Err((Some(status), format!("the receiver answered HTTP {status}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_follows_standard_webhooks() {
        // The worked example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = sign(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(delay_ms(5_000, 1), 5_000);
        assert_eq!(delay_ms(5_000, 2), 10_000);
        assert_eq!(delay_ms(5_000, 5), 80_000);
        assert_eq!(delay_ms(5_000, 19), MAX_DELAY_MS);
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| delay_ms(5_000, n)).sum();
        assert!((10 * 3_600_000..20 * 3_600_000).contains(&total), "{total}");
    }
}
