//! API tokens: created with a role, shown once, stored only as a SHA-256
//! hash. Authentication looks the hash up (cached in memory; the cache is
//! dropped whenever a token is revoked).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Hub, Role, Viewer, now_ms};
use crate::error::{Error, Result};
use crate::store::{Change, TokenRow};

const PREFIX: &str = "bron_";

/// Token lookups by hash. Cleared whenever a token is created or revoked;
/// the epoch counts the clears, so a lookup that read the store before a
/// clear cannot put its (possibly revoked) answer back afterwards.
#[derive(Default)]
pub(super) struct TokenCache {
    by_hash: RwLock<HashMap<String, Viewer>>,
    epoch: AtomicU64,
}

const MAX_CACHED_TOKENS: usize = 10_000;

impl TokenCache {
    pub(super) fn clear(&self) {
        let mut map = self.by_hash.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        map.clear();
    }

    fn get(&self, hash: &str) -> Option<Viewer> {
        self.by_hash
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(hash)
            .cloned()
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Remembers a lookup made at `epoch`, unless the cache was cleared since.
    fn put(&self, hash: String, viewer: Viewer, epoch: u64) {
        let mut map = self.by_hash.write().unwrap_or_else(|e| e.into_inner());
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if map.len() >= MAX_CACHED_TOKENS {
            map.clear();
        }
        map.insert(hash, viewer);
    }
}

/// A token just created: the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub secret: String,
}

pub(super) fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::BadInput(format!(
            "`{name}` is not a valid token name: use 1 to 64 letters, digits, '-', '_', '.' or '@'"
        )))
    }
}

impl Hub {
    pub async fn create_token(&self, viewer: &Viewer, name: &str, role: Role) -> Result<NewToken> {
        viewer.require(Role::Admin, "creating tokens")?;
        check_name(name)?;
        if role == Role::Anonymous {
            return Err(Error::BadInput(
                "a token needs a role: agent, editor, publisher or admin".into(),
            ));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret: String = std::iter::once(PREFIX.to_string())
            .chain(bytes.iter().map(|b| format!("{b:02x}")))
            .collect();
        let now = now_ms();
        let mut tx = self.store.begin().await?;
        tx.insert_token(
            &uuid::Uuid::now_v7().to_string(),
            name,
            role.as_str(),
            &hash(&secret),
            now,
        )
        .await?;
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: "token_create",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(&format!("{name} ({})", role.as_str())),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        Ok(NewToken {
            name: name.to_string(),
            role,
            secret,
        })
    }

    pub async fn revoke_token(&self, viewer: &Viewer, name: &str) -> Result<()> {
        viewer.require(Role::Admin, "revoking tokens")?;
        let now = now_ms();
        let mut tx = self.store.begin().await?;
        if !tx.revoke_token(name, now).await? {
            return Err(Error::not_found(format!("active token `{name}`")));
        }
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: "token_revoke",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(name),
            })
            .await?;
        tx.commit().await?;
        self.tokens.clear();
        self.committed(seq).await;
        Ok(())
    }

    pub async fn tokens(&self, viewer: &Viewer) -> Result<Vec<TokenRow>> {
        viewer.require(Role::Admin, "listing tokens")?;
        self.store.tokens().await
    }

    /// The viewer a bearer token stands for. An unknown or revoked token is
    /// an error, never a silent fall-back to anonymous.
    pub async fn authenticate(&self, secret: &str) -> Result<Viewer> {
        let h = hash(secret.trim());
        if let Some(v) = self.tokens.get(&h) {
            return Ok(v);
        }
        let bad = || {
            Error::Unauthenticated(
                "the bearer token is not valid (unknown or revoked); create one with `bron token create`"
                    .into(),
            )
        };
        if !secret.trim().starts_with(PREFIX) {
            return Err(bad());
        }
        let epoch = self.tokens.epoch();
        let (name, role) = self.store.token_by_hash(&h).await?.ok_or_else(bad)?;
        let viewer = Viewer {
            role: Role::parse(&role)?,
            name,
            team: None,
        };
        self.tokens.put(h, viewer.clone(), epoch);
        Ok(viewer)
    }
}
