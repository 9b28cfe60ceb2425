//! `billtracker user …`: account rescue on the data directory, for when
//! nobody can sign in. The same rules as Admin > Users apply.

use billtracker::accounts::audit::{self, Entry, action};
use billtracker::accounts::bootstrap::random_password;
use billtracker::accounts::settings::StoredAuthSettings;
use billtracker::accounts::users::{self, UserError, UserPatch};
use billtracker::accounts::{Role, password, sessions, settings};
use billtracker::config::{CommonArgs, Secret, WebArgs};
use billtracker::crypto::SecretBox;
use billtracker::db;

use crate::attempt;
use crate::commands::{db_error, open_bills};
use crate::output::{self, CHECK_FAILED, OK, or_dash};

/// The actor written to the audit log for CLI changes.
const ACTOR: &str = "billtracker CLI";

pub fn list(common: &CommonArgs, json: bool) -> i32 {
    let conn = attempt!(open_bills(common));
    let all = attempt!(users::list(&conn).map_err(db_error));
    if json {
        return output::json(&all);
    }
    if all.is_empty() {
        println!("no users yet: the web process creates the first admin at its first start");
        return OK;
    }
    println!(
        "{:<6} {:<24} {:<6} {:<8} {:<6} {:<24}",
        "ID", "USERNAME", "ROLE", "STATE", "SOURCE", "LAST LOGIN"
    );
    for user in &all {
        println!(
            "{:<6} {:<24} {:<6} {:<8} {:<6} {:<24}",
            user.id,
            user.username,
            user.role.as_str(),
            if user.active { "active" } else { "inactive" },
            format!("{:?}", user.auth_source).to_lowercase(),
            or_dash(user.last_login_at.as_deref()),
        );
    }
    OK
}

/// Runs a change on one user in a write transaction with an audit entry.
fn change(
    common: &CommonArgs,
    username: &str,
    audit_action: &str,
    detail: String,
    apply: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<(), UserError>,
) -> i32 {
    let mut conn = attempt!(open_bills(common));
    let outcome = db::write(&mut conn, |tx| {
        let Some(account) = users::account_by_username(tx, username)? else {
            return Ok(Err(UserError::NotFound));
        };
        if let Err(error) = apply(tx, account.user.id) {
            return Ok(Err(error));
        }
        audit::record(
            tx,
            Entry {
                actor: Some(ACTOR),
                action: audit_action,
                target: Some(&account.user.username),
                target_user_id: Some(account.user.id),
                detail: Some(detail),
                ..Entry::default()
            },
        )?;
        Ok(Ok(()))
    });
    match outcome {
        Ok(Ok(())) => OK,
        Ok(Err(UserError::NotFound)) => {
            eprintln!("billtracker: no user named {username:?} (see `billtracker user list`)");
            CHECK_FAILED
        }
        Ok(Err(UserError::Store(error))) | Err(error) => db_error(error),
        Ok(Err(error)) => {
            eprintln!("billtracker: {error}");
            CHECK_FAILED
        }
    }
}

pub fn reset_password(common: &CommonArgs, username: &str) -> i32 {
    let new_password = random_password();
    let hash = match password::hash(&new_password) {
        Ok(hash) => hash,
        Err(error) => return db_error(error),
    };
    let code = change(
        common,
        username,
        action::USER_RESET_PASSWORD,
        "from the CLI".into(),
        |tx, id| {
            users::set_password(tx, id, &hash, true)?;
            sessions::end_all(tx, id)?;
            Ok(())
        },
    );
    if code == OK {
        println!("new one-time password for {username}: {new_password}");
        println!(
            "{username} must choose a new password at the next sign-in; their sessions have ended"
        );
    }
    code
}

pub fn set_role(common: &CommonArgs, username: &str, role: Role) -> i32 {
    let code = change(
        common,
        username,
        action::USER_UPDATE,
        format!("role {} from the CLI", role.as_str()),
        |tx, id| {
            users::update(
                tx,
                id,
                UserPatch {
                    role: Some(role),
                    ..UserPatch::default()
                },
            )
            .map(|_| ())
        },
    );
    if code == OK {
        println!("{username} is now {}", role.as_str());
    }
    code
}

pub fn set_active(common: &CommonArgs, username: &str, active: bool) -> i32 {
    let word = if active { "activated" } else { "deactivated" };
    let code = change(
        common,
        username,
        action::USER_UPDATE,
        format!("{word} from the CLI"),
        |tx, id| {
            users::update(
                tx,
                id,
                UserPatch {
                    active: Some(active),
                    ..UserPatch::default()
                },
            )
            .map(|_| ())
        },
    );
    if code == OK {
        println!("{username} is {word}");
    }
    code
}

pub fn enable_local_login(common: &CommonArgs) -> i32 {
    let mut conn = attempt!(open_bills(common));
    let done = db::write(&mut conn, |tx| {
        let mut stored = settings::load_stored(tx)?;
        stored.local_enabled = Some(true);
        settings::save_stored(tx, &stored)?;
        audit::record(
            tx,
            Entry {
                actor: Some(ACTOR),
                action: action::AUTH_SETTINGS_UPDATE,
                detail: Some("local login on, from the CLI".into()),
                ..Entry::default()
            },
        )
    });
    match done {
        Ok(()) => {
            println!("local login is on; sign in with a username and password");
            OK
        }
        Err(error) => db_error(error),
    }
}

/// The sign-in methods in effect, as `config check` reports them.
#[derive(Debug, serde::Serialize)]
pub struct SignInCheck {
    /// Local login as configured (database over environment).
    pub local_login_enabled: bool,
    pub oidc_enabled: bool,
    /// Why no admin could sign in with these settings; the web server then
    /// keeps local login on.
    pub lockout: Option<String>,
}

/// Merges the stored sign-in settings (when `bills.db` exists) over the
/// environment and checks that an admin can still sign in.
pub fn sign_in_check(common: &CommonArgs, web: &WebArgs) -> Result<SignInCheck, String> {
    let data = common.data();
    let (stored, oidc_admin) = if data.bills_db().exists() {
        let conn = db::open(&data.bills_db()).map_err(|e| e.to_string())?;
        let stored = settings::load_stored(&conn).map_err(|e| e.to_string())?;
        let oidc_admin = settings::oidc_admin_exists(&conn).map_err(|e| e.to_string())?;
        (stored, oidc_admin)
    } else {
        (StoredAuthSettings::default(), false)
    };
    // The instance key is needed only to decrypt a stored client secret;
    // without one, no key file is created just for this check.
    let key = match &stored.client_secret {
        Some(_) => common.token_encryption_key.clone(),
        None => Some(Secret::new("nothing stored to decrypt")),
    };
    let secrets = SecretBox::load(key.as_ref(), &data).map_err(|e| e.to_string())?;
    let effective = settings::resolve(&stored, &web.oidc, &secrets);
    Ok(SignInCheck {
        local_login_enabled: effective.local_enabled,
        oidc_enabled: effective.oidc_enabled,
        lockout: settings::lockout(&stored, &effective, oidc_admin),
    })
}
