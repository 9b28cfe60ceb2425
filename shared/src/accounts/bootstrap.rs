//! The first admin: from `ADMIN_USERNAME` and `ADMIN_PASSWORD`, or with a
//! random password printed once and changed at first sign-in.

use rand::Rng;
use rand::distributions::Alphanumeric;

use super::password;
use super::users::{self, NewUser, Role};
use crate::config::Secret;
use crate::db::Db;

/// A random password of 20 letters and digits.
pub fn random_password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// What the bootstrap did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users already exist: nothing to do.
    Existing,
    /// The admin of `ADMIN_USERNAME`/`ADMIN_PASSWORD` was created.
    Configured { username: String },
    /// An admin with a generated password was created; it must be changed.
    Generated { username: String, password: String },
}

/// Creates the first admin when no user exists. Safe when several web
/// processes start at once: the check and the insert share one write
/// transaction.
pub async fn ensure_admin(
    db: &Db,
    username: Option<String>,
    configured_password: Option<Secret>,
) -> crate::Result<Bootstrap> {
    // Most starts find users: skip the Argon2 hash (time and memory) then.
    if db.run(|conn| users::count(conn)).await? > 0 {
        return Ok(Bootstrap::Existing);
    }

    let username = username.unwrap_or_else(|| "admin".to_string());
    let (password, generated) = match configured_password {
        Some(secret) => (secret.expose().to_string(), false),
        None => (random_password(), true),
    };
    let hash =
        tokio::task::spawn_blocking(move || password::hash(&password).map(|h| (h, password)))
            .await??;

    db.write(move |tx| {
        if users::count(tx)? > 0 {
            return Ok(Bootstrap::Existing);
        }
        let (hash, password) = hash;
        let created = users::create(
            tx,
            NewUser {
                username: username.clone(),
                password_hash: Some(hash),
                role: Role::Admin,
                display_name: None,
                email: None,
                email_verified: false,
                must_change_password: generated,
                oidc: None,
            },
        )
        .map_err(|e| crate::Error::Rule(format!("cannot create the first admin: {e}")))?;
        Ok(if generated {
            Bootstrap::Generated {
                username: created.username,
                password,
            }
        } else {
            Bootstrap::Configured {
                username: created.username,
            }
        })
    })
    .await
}
