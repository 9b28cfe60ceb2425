//! OIDC sign-in rules that need no HTTP: logins in flight (state, nonce,
//! PKCE verifier), mapping a verified identity to a user (link, provision,
//! admin group), and the groups claim of the last sign-in for the
//! "test provider" action. The protocol itself lives in the web crate.

mod last_login;
mod login_state;

use rusqlite::{Connection, Transaction};

pub use self::last_login::{LastLogin, last_login, record_last_login};
pub use self::login_state::{LoginState, STATE_LIFETIME, is_pending, save_state, take_state};
use super::audit::{self, Entry, action};
use super::sessions::{self, Method};
use super::users::{self, Account, NewUser, Role, User, UserError};

/// What a verified ID token (and the userinfo endpoint) says about a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    /// The groups claim; `None` when the provider sent none.
    pub groups: Option<Vec<String>>,
}

/// The settings that decide who may sign in and as what.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy<'a> {
    pub link_by_email: bool,
    pub auto_provision: bool,
    pub admin_group: Option<&'a str>,
}

/// Where the request came from, for the audit log.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// How the person was matched to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// Already linked to this issuer and subject.
    Linked,
    /// Linked now, by a verified email that exactly one user has.
    LinkedByEmail,
    /// Created now (auto-provision).
    Provisioned,
}

/// What the admin group did to the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSync {
    /// No admin group is set: roles are left alone.
    Untouched,
    Unchanged,
    Promoted,
    Demoted,
    /// Not in the admin group, but the last active admin: kept admin.
    KeptLastAdmin,
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    /// The session cookie value (shown only this once).
    pub token: String,
    pub matched: Matched,
    pub role: RoleSync,
}

/// Why a verified person may not sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No user is linked and neither linking nor provisioning applies.
    NotLinked,
    Inactive {
        user_id: i64,
    },
    /// Provisioning was refused by the rules on users.
    CannotProvision(String),
}

impl Refusal {
    /// The reason as the audit log and the operator's log put it.
    pub fn reason(&self) -> String {
        match self {
            Refusal::NotLinked => "no linked account".to_string(),
            Refusal::Inactive { .. } => "inactive".to_string(),
            Refusal::CannotProvision(why) => format!("cannot provision: {why}"),
        }
    }
}

fn store(error: UserError) -> crate::Error {
    match error {
        UserError::Store(e) => e,
        other => crate::Error::Rule(other.to_string()),
    }
}

/// Signs a verified person in, in one transaction: finds, links or creates
/// the user, applies the admin group, opens a session, records the login
/// and writes the audit entry. A refusal is audited and changes nothing
/// else.
pub fn sign_in(
    tx: &Transaction<'_>,
    identity: &Identity,
    policy: Policy<'_>,
    origin: Origin<'_>,
) -> crate::Result<Result<SignedIn, Refusal>> {
    let (account, matched) = match find(tx, identity, policy)? {
        Some(found) => found,
        None if policy.auto_provision => match provision(tx, identity)? {
            Ok(account) => (account, Matched::Provisioned),
            Err(refusal) => return refuse(tx, refusal, None, origin),
        },
        None => return refuse(tx, Refusal::NotLinked, None, origin),
    };
    if !account.user.active {
        let user = &account.user;
        return refuse(
            tx,
            Refusal::Inactive { user_id: user.id },
            Some(user),
            origin,
        );
    }
    let id = account.user.id;
    if matched == Matched::LinkedByEmail {
        users::link_oidc(tx, id, &identity.issuer, &identity.subject).map_err(store)?;
    }

    let role = sync_role(
        tx,
        &account.user,
        identity.groups.as_deref(),
        policy.admin_group,
    )?;
    let token = sessions::create(tx, id, Method::Oidc)?;
    users::record_login(tx, id).map_err(store)?;
    let user = users::get(tx, id)?.ok_or_else(|| crate::Error::Rule("the user vanished".into()))?;
    audit::record(
        tx,
        Entry {
            actor_id: Some(id),
            actor: Some(&user.username),
            action: action::LOGIN_SUCCESS,
            target: Some(&user.username),
            target_user_id: Some(id),
            detail: Some("oidc".into()),
            ip: origin.ip,
            user_agent: origin.user_agent,
        },
    )?;
    Ok(Ok(SignedIn {
        user,
        token,
        matched,
        role,
    }))
}

/// The user linked to this identity, or the one to link by email.
fn find(
    tx: &Transaction<'_>,
    identity: &Identity,
    policy: Policy<'_>,
) -> crate::Result<Option<(Account, Matched)>> {
    if let Some(account) = users::account_by_oidc(tx, &identity.issuer, &identity.subject)? {
        return Ok(Some((account, Matched::Linked)));
    }
    let Some(email) = identity
        .email
        .as_deref()
        .filter(|_| policy.link_by_email && identity.email_verified)
    else {
        return Ok(None);
    };
    let mut stmt =
        tx.prepare("SELECT id, oidc_subject IS NULL FROM users WHERE lower(email) = lower(?1)")?;
    let matches: Vec<(i64, bool)> = stmt
        .query_map([email.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Exactly one user with that address, not linked to another identity.
    match matches.as_slice() {
        [(id, true)] => Ok(users::account_by_id(tx, *id)?.map(|a| (a, Matched::LinkedByEmail))),
        _ => Ok(None),
    }
}

/// Creates a `user` for a person seen for the first time.
fn provision(tx: &Transaction<'_>, identity: &Identity) -> crate::Result<Result<Account, Refusal>> {
    let username = unique_username(tx, &username_base(identity))?;
    let email = users::clean_email(identity.email.as_deref()).ok().flatten();
    let display_name = identity
        .name
        .as_deref()
        .map(|n| n.trim().chars().take(120).collect::<String>());
    let new = NewUser {
        username,
        password_hash: None,
        role: Role::User,
        display_name,
        email_verified: email.is_some() && identity.email_verified,
        email,
        must_change_password: false,
        oidc: Some((identity.issuer.clone(), identity.subject.clone())),
    };
    match users::create(tx, new) {
        Ok(user) => Ok(users::account_by_id(tx, user.id)?.ok_or(Refusal::NotLinked)),
        Err(UserError::Store(error)) => Err(error),
        Err(other) => Ok(Err(Refusal::CannotProvision(other.to_string()))),
    }
}

/// Longest base of a provisioned username, leaving room for a suffix.
const USERNAME_BASE_CHARS: usize = 56;

/// A username from `preferred_username`, else the email's local part, else
/// "user"; characters a username may not have become `-`.
pub fn username_base(identity: &Identity) -> String {
    let local_part = identity.email.as_deref().and_then(|e| e.split('@').next());
    [identity.preferred_username.as_deref(), local_part]
        .into_iter()
        .flatten()
        .map(|candidate| {
            let cleaned: String = candidate
                .trim()
                .chars()
                .map(|c| if users::is_username_char(c) { c } else { '-' })
                .take(USERNAME_BASE_CHARS)
                .collect();
            cleaned.trim_matches('-').to_string()
        })
        .find(|c| !c.is_empty())
        .unwrap_or_else(|| "user".to_string())
}

/// `base`, or `base-2`, `base-3`… whichever is free (case-insensitively).
fn unique_username(tx: &Transaction<'_>, base: &str) -> crate::Result<String> {
    let mut stmt = tx.prepare("SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)")?;
    let mut taken = |name: &str| -> rusqlite::Result<bool> { stmt.query_row([name], |r| r.get(0)) };
    if !taken(base)? {
        return Ok(base.to_string());
    }
    for n in 2..10_000 {
        let candidate = format!("{base}-{n}");
        if !taken(&candidate)? {
            return Ok(candidate);
        }
    }
    Err(crate::Error::Rule(format!(
        "no free username like {base:?}"
    )))
}

/// Applies the admin group: admin when a member, user when not; never
/// demotes the last active admin. A change ends the user's sessions, as
/// every role change does.
fn sync_role(
    tx: &Transaction<'_>,
    user: &User,
    groups: Option<&[String]>,
    admin_group: Option<&str>,
) -> crate::Result<RoleSync> {
    let Some(admin_group) = admin_group else {
        return Ok(RoleSync::Untouched);
    };
    let member = groups.is_some_and(|g| g.iter().any(|name| name == admin_group));
    let wanted = if member { Role::Admin } else { Role::User };
    if wanted == user.role {
        return Ok(RoleSync::Unchanged);
    }
    if wanted == Role::User && active_admins(tx)? <= 1 {
        return Ok(RoleSync::KeptLastAdmin);
    }
    users::set_role(tx, user.id, wanted).map_err(store)?;
    sessions::end_all(tx, user.id)?;
    Ok(if member {
        RoleSync::Promoted
    } else {
        RoleSync::Demoted
    })
}

fn active_admins(conn: &Connection) -> crate::Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1",
        [],
        |r| r.get(0),
    )?)
}

fn refuse(
    tx: &Transaction<'_>,
    refusal: Refusal,
    user: Option<&User>,
    origin: Origin<'_>,
) -> crate::Result<Result<SignedIn, Refusal>> {
    record_failure(
        tx,
        &refusal.reason(),
        user.map(|u| (u.id, u.username.as_str())),
        origin,
    )?;
    Ok(Err(refusal))
}

/// Audits a failed OIDC sign-in; `reason` must hold no secret, token or
/// email address.
pub fn record_failure(
    tx: &Transaction<'_>,
    reason: &str,
    user: Option<(i64, &str)>,
    origin: Origin<'_>,
) -> crate::Result<()> {
    audit::record(
        tx,
        Entry {
            action: action::LOGIN_FAILURE,
            target: user.map(|(_, name)| name),
            target_user_id: user.map(|(id, _)| id),
            detail: Some(format!("oidc: {reason}")),
            ip: origin.ip,
            user_agent: origin.user_agent,
            ..Entry::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        conn
    }

    fn person(subject: &str) -> Identity {
        Identity {
            issuer: "https://id.example".into(),
            subject: subject.into(),
            email: Some(format!("{subject}@example.org")),
            email_verified: true,
            preferred_username: Some(subject.into()),
            name: Some(format!("Person {subject}")),
            groups: Some(vec![]),
        }
    }

    fn admin_group() -> Policy<'static> {
        Policy {
            auto_provision: true,
            admin_group: Some("admins"),
            ..Policy::default()
        }
    }

    fn local_user(conn: &mut Connection, username: &str, role: Role, email: Option<&str>) -> i64 {
        crate::db::write(conn, |tx| {
            let new = NewUser {
                username: username.into(),
                password_hash: Some("hash".into()),
                role,
                display_name: None,
                email: email.map(str::to_string),
                email_verified: false,
                must_change_password: false,
                oidc: None,
            };
            Ok(users::create(tx, new).map_err(store)?.id)
        })
        .unwrap()
    }

    fn sign(
        conn: &mut Connection,
        identity: &Identity,
        policy: Policy<'_>,
    ) -> Result<SignedIn, Refusal> {
        crate::db::write(conn, |tx| sign_in(tx, identity, policy, Origin::default())).unwrap()
    }

    #[test]
    fn an_unknown_person_is_refused_unless_auto_provision_is_on() {
        let mut conn = db();
        let refused = sign(&mut conn, &person("alice"), Policy::default()).unwrap_err();
        assert_eq!(refused, Refusal::NotLinked);
        assert_eq!(users::count(&conn).unwrap(), 0);
        let failures: i64 = conn
            .query_row("SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND detail = 'oidc: no linked account'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(failures, 1);

        let signed = sign(&mut conn, &person("alice"), admin_group()).unwrap();
        assert_eq!(signed.matched, Matched::Provisioned);
        assert_eq!(signed.user.username, "alice");
        assert_eq!(signed.user.role, Role::User);
        assert_eq!(signed.user.display_name.as_deref(), Some("Person alice"));
        assert!(signed.user.last_login_at.is_some());

        let again = sign(&mut conn, &person("alice"), Policy::default()).unwrap();
        assert_eq!(again.matched, Matched::Linked);
        assert_eq!(again.user.id, signed.user.id);
    }

    #[test]
    fn provisioned_usernames_are_made_unique_and_clean() {
        let mut conn = db();
        local_user(&mut conn, "Alice", Role::Admin, None);
        let mut first = person("s1");
        first.preferred_username = Some("alice".into());
        assert_eq!(
            sign(&mut conn, &first, admin_group())
                .unwrap()
                .user
                .username,
            "alice-2"
        );
        let mut second = person("s2");
        second.preferred_username = Some("alice".into());
        assert_eq!(
            sign(&mut conn, &second, admin_group())
                .unwrap()
                .user
                .username,
            "alice-3"
        );

        let mut spaced = person("s3");
        spaced.preferred_username = Some("Jane Q. Doe".into());
        assert_eq!(username_base(&spaced), "Jane-Q.-Doe");
        spaced.preferred_username = Some("Jörg".into());
        assert_eq!(username_base(&spaced), "J-rg", "usernames are ASCII");
        spaced.preferred_username = None;
        assert_eq!(username_base(&spaced), "s3");
        spaced.email = None;
        assert_eq!(username_base(&spaced), "user");
    }

    #[test]
    fn a_verified_email_links_only_when_allowed_and_unambiguous() {
        let mut conn = db();
        let id = local_user(&mut conn, "carol", Role::User, Some("Carol@Example.org"));
        let mut carol = person("carol-sub");
        carol.email = Some("carol@example.org".into());
        let linking = Policy {
            link_by_email: true,
            ..Policy::default()
        };

        carol.email_verified = false;
        assert_eq!(
            sign(&mut conn, &carol, linking).unwrap_err(),
            Refusal::NotLinked
        );
        carol.email_verified = true;
        assert_eq!(
            sign(&mut conn, &carol, Policy::default()).unwrap_err(),
            Refusal::NotLinked
        );

        let linked = sign(&mut conn, &carol, linking).unwrap();
        assert_eq!(
            (linked.user.id, linked.matched),
            (id, Matched::LinkedByEmail)
        );
        assert_eq!(linked.user.auth_source, users::AuthSource::Both);

        local_user(&mut conn, "dave", Role::User, Some("shared@example.org"));
        local_user(&mut conn, "erin", Role::User, Some("shared@example.org"));
        let mut shared = person("shared-sub");
        shared.email = Some("shared@example.org".into());
        assert_eq!(
            sign(&mut conn, &shared, linking).unwrap_err(),
            Refusal::NotLinked
        );
    }

    #[test]
    fn the_admin_group_adds_and_removes_admin_but_never_the_last_admin() {
        let mut conn = db();
        let mut alice = person("alice");
        alice.groups = Some(vec!["admins".into()]);
        let signed = sign(&mut conn, &alice, admin_group()).unwrap();
        assert_eq!(
            (signed.user.role, signed.role),
            (Role::Admin, RoleSync::Promoted)
        );

        alice.groups = Some(vec!["staff".into()]);
        let kept = sign(&mut conn, &alice, admin_group()).unwrap();
        assert_eq!(
            (kept.user.role, kept.role),
            (Role::Admin, RoleSync::KeptLastAdmin)
        );

        local_user(&mut conn, "root", Role::Admin, None);
        let demoted = sign(&mut conn, &alice, admin_group()).unwrap();
        assert_eq!(
            (demoted.user.role, demoted.role),
            (Role::User, RoleSync::Demoted)
        );

        let untouched = sign(&mut conn, &alice, Policy::default()).unwrap();
        assert_eq!(
            (untouched.user.role, untouched.role),
            (Role::User, RoleSync::Untouched)
        );
    }

    #[test]
    fn an_inactive_user_is_refused_without_a_session() {
        let mut conn = db();
        let signed = sign(&mut conn, &person("frank"), admin_group()).unwrap();
        conn.execute(
            "UPDATE users SET active = 0 WHERE id = ?1",
            [signed.user.id],
        )
        .unwrap();
        conn.execute("DELETE FROM sessions", []).unwrap();
        let refused = sign(&mut conn, &person("frank"), admin_group()).unwrap_err();
        assert_eq!(
            refused,
            Refusal::Inactive {
                user_id: signed.user.id
            }
        );
        let sessions: i64 = conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sessions, 0);
    }
}
