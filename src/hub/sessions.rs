//! Logins of the editor UI: a checked password becomes a session, a session
//! key becomes a [`Viewer`] on every request, logout ends it. Failed logins
//! are throttled per login name and per client address, so guessing a
//! password costs hours, not seconds.
//!
//! The cookie value is 32 random bytes; the store keeps only its SHA-256
//! (like API tokens), so a copy of the database cannot be used to log in.
//! Each session has its own CSRF token, which every form posts back.
//!
//! The throttle lives in this process: with several Bron nodes behind one
//! load balancer, each node counts its own failures (a guesser gets the
//! limit once per node, still far too few guesses to matter).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use rand::RngCore;

use super::tokens::hash;
use super::{Hub, Role, Viewer, now_ms};
use crate::domain::UserRow;
use crate::error::{Error, Result};

/// A session ends this many hours after login, however busy.
pub const SESSION_HOURS: i64 = 10;
/// A session ends after this many minutes without a request.
pub const IDLE_MINUTES: i64 = 120;
/// `last_seen_at` is written at most this often (ms), so reading pages does
/// not turn into a write per request.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Failed logins allowed per name within [`WINDOW_MS`] before that name is
/// locked until the window ends.
const MAX_FAILS_PER_NAME: u32 = 5;
/// Failed logins allowed per client address within the window.
const MAX_FAILS_PER_CLIENT: u32 = 20;
const WINDOW_MS: i64 = 15 * 60_000;
/// Entries kept at most; beyond this, expired entries are dropped first and
/// then the whole map (an attacker filling it only resets counters they
/// themselves made).
const MAX_TRACKED: usize = 50_000;

/// A logged-in user as a request sees them.
#[derive(Debug, Clone)]
pub struct Session {
    pub viewer: Viewer,
    pub display_name: String,
    /// The token every form must post back.
    pub csrf: String,
    pub expires_at: i64,
}

/// A session just made: `key` goes into the cookie and is not kept.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub key: String,
    pub session: Session,
}

fn random_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Failures per name and per client, each with the time the count started.
#[derive(Default)]
pub(super) struct Throttle {
    fails: Mutex<HashMap<String, (u32, i64)>>,
}

impl Throttle {
    fn keys(name: &str, client: &str) -> [(String, u32); 2] {
        [
            (
                format!("n:{}", name.trim().to_lowercase()),
                MAX_FAILS_PER_NAME,
            ),
            (format!("c:{client}"), MAX_FAILS_PER_CLIENT),
        ]
    }

    /// Seconds to wait, when the name or the client is locked at `now`.
    pub(super) fn locked(&self, name: &str, client: &str, now: i64) -> Option<u64> {
        let map = self.fails.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(name, client)
            .iter()
            .filter_map(|(k, max)| {
                let (n, since) = map.get(k)?;
                (*n >= *max && now - since < WINDOW_MS)
                    .then(|| ((since + WINDOW_MS - now) / 1000).max(1) as u64)
            })
            .max()
    }

    pub(super) fn fail(&self, name: &str, client: &str, now: i64) {
        let mut map = self.fails.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACKED {
            map.retain(|_, (_, since)| now - *since < WINDOW_MS);
            if map.len() >= MAX_TRACKED {
                map.clear();
            }
        }
        for (k, _) in Self::keys(name, client) {
            let e = map.entry(k).or_insert((0, now));
            if now - e.1 >= WINDOW_MS {
                *e = (0, now);
            }
            e.0 += 1;
        }
    }

    fn succeed(&self, name: &str) {
        let mut map = self.fails.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("n:{}", name.trim().to_lowercase()));
    }
}

fn viewer_of(user: &UserRow) -> Result<Viewer> {
    Ok(Viewer {
        role: Role::parse(&user.role)?,
        name: user.name.clone(),
        team: user.team.clone(),
    })
}

impl Hub {
    /// Checks a login and starts a session. `client` names where the
    /// attempt came from (the peer address), for throttling. Fails with
    /// `UNAUTHENTICATED` and one message for an unknown name, a wrong
    /// password and a disabled account alike.
    pub async fn login(&self, name: &str, password: &str, client: &str) -> Result<NewSession> {
        let now = now_ms();
        if let Some(wait) = self.throttle.locked(name, client, now) {
            return Err(Error::TooManyAttempts {
                message: format!(
                    "too many failed logins; try again in {} minutes",
                    wait.div_ceil(60)
                ),
                retry_after_seconds: wait,
            });
        }
        let Some(user) = self.check_login(name, password).await? else {
            self.throttle.fail(name, client, now);
            return Err(Error::Unauthenticated(
                "the name or the password is wrong".into(),
            ));
        };
        self.throttle.succeed(name);
        let key = random_key();
        let csrf = random_key();
        let expires_at = now + SESSION_HOURS * 3_600_000;
        let mut tx = self.store.begin().await?;
        tx.insert_session(&hash(&key), &user.id, &csrf, now, expires_at)
            .await?;
        tx.commit().await?;
        Ok(NewSession {
            key,
            session: Session {
                viewer: viewer_of(&user)?,
                display_name: user.display_name.clone(),
                csrf,
                expires_at: expires_at.min(now + IDLE_MINUTES * 60_000),
            },
        })
    }

    /// The session a cookie value stands for, if it is live; marks it used.
    pub async fn session(&self, key: &str) -> Result<Option<Session>> {
        if key.is_empty() || key.len() > 100 {
            return Ok(None);
        }
        let now = now_ms();
        let idle_since = now - IDLE_MINUTES * 60_000;
        let key_hash = hash(key);
        let Some(row) = self.store.session(&key_hash, now, idle_since).await? else {
            return Ok(None);
        };
        if now - row.last_seen_at >= TOUCH_EVERY_MS {
            // Written off the request: a page must not wait for the writer
            // (an import may hold it for seconds). If the write fails, the
            // next request tries again.
            let store = self.store.clone();
            let key_hash = key_hash.clone();
            tokio::spawn(async move {
                if let Ok(mut tx) = store.begin().await
                    && tx.touch_session(&key_hash, now).await.is_ok()
                {
                    let _ = tx.commit().await;
                }
            });
        }
        let last_seen = now;
        Ok(Some(Session {
            viewer: viewer_of(&row.user)?,
            display_name: row.user.display_name.clone(),
            csrf: row.csrf,
            expires_at: row.expires_at.min(last_seen + IDLE_MINUTES * 60_000),
        }))
    }

    /// Ends a session; unknown keys are ignored.
    pub async fn logout(&self, key: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        tx.delete_session(&hash(key)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes ended and idle sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64> {
        let now = now_ms();
        let mut tx = self.store.begin().await?;
        let n = tx
            .delete_stale_sessions(now, now - IDLE_MINUTES * 60_000)
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_locked_after_five_failures_for_the_rest_of_the_window() {
        let t = Throttle::default();
        for i in 0..5 {
            assert_eq!(t.locked("Jan", "1.2.3.4", i), None);
            t.fail("jan", "1.2.3.4", i);
        }
        let wait = t.locked("jan ", "5.6.7.8", 10).unwrap();
        assert!((890..=900).contains(&wait), "{wait}");
        assert_eq!(t.locked("piet", "5.6.7.8", 10), None);
        assert_eq!(t.locked("jan", "5.6.7.8", WINDOW_MS + 1), None);
    }

    #[test]
    fn a_client_is_locked_after_twenty_failures_over_any_names() {
        let t = Throttle::default();
        for i in 0..20 {
            t.fail(&format!("naam{i}"), "9.9.9.9", 0);
        }
        assert!(t.locked("nieuw", "9.9.9.9", 1).is_some());
        assert!(t.locked("nieuw", "8.8.8.8", 1).is_none());
    }

    #[test]
    fn a_good_login_clears_the_names_count() {
        let t = Throttle::default();
        for _ in 0..4 {
            t.fail("jan", "1.1.1.1", 0);
        }
        t.succeed("jan");
        t.fail("jan", "1.1.1.1", 0);
        assert!(t.locked("jan", "2.2.2.2", 1).is_none());
    }
}
