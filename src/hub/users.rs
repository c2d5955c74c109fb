//! Accounts of the editor UI (issue 12 builds the pages on them): created by
//! an admin with a role and a team, the password kept only as an argon2id
//! hash. Hashing and checking a password take tens of milliseconds of CPU on
//! purpose, so they run on a blocking thread, never on the async workers.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::{Hub, Role, Viewer, now_ms};
use crate::domain::UserRow;
use crate::error::{Error, Result};
use crate::store::Change;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub team: Option<String>,
    pub password: String,
}

fn check_name(name: &str) -> Result<()> {
    let ok = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "name",
            format!(
                "`{name}` is not a valid login name: use 2 to 64 lowercase letters, digits, '-', '_', '.' or '@'"
            ),
        ))
    }
}

fn check_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(
            "password",
            format!("a password needs at least {MIN_PASSWORD_CHARS} characters; this one has {n}"),
        )
        .with_dutch(format!(
            "Een wachtwoord heeft minstens {MIN_PASSWORD_CHARS} tekens; dit heeft er {n}."
        )));
    }
    if n > 1024 {
        return Err(Error::invalid("password", "at most 1024 characters"));
    }
    Ok(())
}

/// The argon2id hash of `password`, in PHC form, with a random salt.
fn hash(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing a password failed: {e}")))
}

/// Whether `password` matches the PHC string `stored`.
fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("a password task failed: {e}")))
}

impl Hub {
    /// Creates an account. Admins only.
    pub async fn create_user(&self, viewer: &Viewer, new: NewUser) -> Result<UserRow> {
        viewer.require(Role::Admin, "creating users")?;
        check_name(&new.name)?;
        check_password(&new.password)?;
        if new.role == Role::Anonymous {
            return Err(Error::invalid(
                "role",
                "a user needs a role: agent, editor, publisher or admin",
            ));
        }
        let team = new
            .team
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if team.as_ref().is_some_and(|t| t.chars().count() > 80) {
            return Err(Error::invalid("team", "at most 80 characters"));
        }
        let password = new.password;
        let password_hash = blocking(move || hash(&password)).await??;
        let now = now_ms();
        let row = UserRow {
            id: uuid::Uuid::now_v7().to_string(),
            display_name: new
                .display_name
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| new.name.clone()),
            name: new.name,
            role: new.role.as_str().to_string(),
            team,
            password_hash,
            created_at: now,
            disabled_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_user(&row).await?;
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: "user_create",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(&format!("{} ({})", row.name, row.role)),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        Ok(row)
    }

    /// Disables or enables an account. Admins only, and not their own.
    pub async fn set_user_disabled(
        &self,
        viewer: &Viewer,
        name: &str,
        disabled: bool,
    ) -> Result<()> {
        viewer.require(Role::Admin, "disabling users")?;
        if disabled && viewer.name == name {
            return Err(Error::InvalidState(
                "you cannot disable your own account; ask another admin".into(),
            ));
        }
        let now = now_ms();
        let mut tx = self.store.begin().await?;
        if !tx.set_user_disabled(name, disabled.then_some(now)).await? {
            return Err(Error::not_found(format!("user `{name}`")));
        }
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: if disabled {
                    "user_disable"
                } else {
                    "user_enable"
                },
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(name),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        Ok(())
    }

    /// Changes the logged-in user's own password, after checking the
    /// current one (a wrong one counts as a failed login for throttling).
    pub async fn change_password(
        &self,
        viewer: &Viewer,
        current: &str,
        new: &str,
        client: &str,
    ) -> Result<()> {
        viewer.require(Role::Agent, "changing a password")?;
        if let Some(wait) = self.throttle.locked(&viewer.name, client, now_ms()) {
            return Err(Error::TooManyAttempts {
                message: format!(
                    "too many failed attempts; try again in {} minutes",
                    wait.div_ceil(60)
                ),
                retry_after_seconds: wait,
            });
        }
        if self.check_login(&viewer.name, current).await?.is_none() {
            self.throttle.fail(&viewer.name, client, now_ms());
            return Err(Error::invalid("current", "the current password is wrong")
                .with_dutch("Uw huidige wachtwoord klopt niet."));
        }
        check_password(new)?;
        let new = new.to_string();
        let hashed = blocking(move || hash(&new)).await??;
        let now = now_ms();
        let mut tx = self.store.begin().await?;
        if !tx.set_password_hash(&viewer.name, &hashed).await? {
            return Err(Error::not_found(format!("user `{}`", viewer.name)));
        }
        let seq = tx
            .append_change(&Change {
                at: now,
                actor: &viewer.name,
                action: "user_password",
                item_id: None,
                item_type: None,
                version: None,
                detail: Some(&viewer.name),
            })
            .await?;
        tx.commit().await?;
        self.committed(seq).await;
        Ok(())
    }

    pub async fn users(&self, viewer: &Viewer) -> Result<Vec<UserRow>> {
        viewer.require(Role::Admin, "listing users")?;
        self.store.users().await
    }

    /// The user a login name and password stand for, or None when the name
    /// is unknown, the account disabled or the password wrong (the caller
    /// says only that the login failed). An unknown name costs as much as
    /// a wrong password, so timing does not tell which names exist.
    pub async fn check_login(&self, name: &str, password: &str) -> Result<Option<UserRow>> {
        let user = self.store.user_by_name(name.trim()).await?;
        // A hash of a password nobody has, for names that do not exist.
        static DUMMY: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| hash("no user has this password").unwrap_or_default());
        let stored = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| DUMMY.clone());
        let password = password.to_string();
        let ok = blocking(move || verify(&password, &stored)).await?;
        Ok(user.filter(|u| ok && u.disabled_at.is_none()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterY", &a));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_name("jan.jansen").is_ok());
        assert!(check_name("Jan").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_password("kort").is_err());
        assert!(check_password("een lang genoeg wachtwoord").is_ok());
    }
}
