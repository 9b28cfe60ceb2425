//! Why a sign-in did not happen: a code and a sentence for the login page,
//! and a reason for the audit log and the operator's log that holds no
//! secret, token, code or email address.

use billtracker::accounts::oidc;
use openidconnect::url::form_urlencoded;

/// Why a sign-in did not happen.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The `error` code on the login page's URL.
    pub code: &'static str,
    /// A sentence for the person signing in.
    pub message: String,
    /// For the audit log and the operator's log.
    pub reason: String,
    /// The user concerned, when known.
    pub user_id: Option<i64>,
    /// Already in the audit log (refusals by the account rules).
    pub audited: bool,
}

impl Failure {
    pub(super) fn new(
        code: &'static str,
        message: impl Into<String>,
        reason: impl Into<String>,
    ) -> Failure {
        Failure {
            code,
            message: message.into(),
            reason: reason.into(),
            user_id: None,
            audited: false,
        }
    }

    pub(super) fn disabled() -> Failure {
        Failure::new(
            "oidc_disabled",
            "Single sign-on is turned off. Sign in with your password, or ask an admin.",
            "single sign-on is off",
        )
    }

    pub(super) fn invalid_state(reason: &str) -> Failure {
        Failure::new(
            "invalid_state",
            "This sign-in has expired or was already used. Start the sign-in again.",
            reason,
        )
    }

    /// The callback came to a browser that did not start this sign-in
    /// (or whose binding cookie is gone): someone else's sign-in link.
    pub(super) fn other_browser(reason: &str) -> Failure {
        Failure::new(
            "other_browser",
            "This sign-in was not started in this browser, so it was refused. \
             Start the sign-in again here.",
            reason,
        )
    }

    pub(super) fn misconfigured(reason: String) -> Failure {
        Failure::new(
            "oidc_misconfigured",
            "Single sign-on is not fully set up. Ask an admin to check Admin > Authentication.",
            format!("not configured: {reason}"),
        )
    }

    pub(super) fn unreachable(reason: String) -> Failure {
        Failure::new(
            "provider_unavailable",
            "The sign-in provider cannot be reached. Try again later, or ask an admin.",
            format!("provider unavailable: {reason}"),
        )
    }

    pub(super) fn invalid_token(reason: impl Into<String>) -> Failure {
        Failure::new(
            "invalid_id_token",
            "The provider's answer could not be verified. Start the sign-in again, or ask an admin.",
            format!("ID token rejected: {}", reason.into()),
        )
    }

    pub(super) fn internal(cause: impl std::fmt::Display) -> Failure {
        tracing::error!(error = %cause, "OIDC sign-in failed on the server");
        Failure::new(
            "server_error",
            "Something went wrong on the server; the error was logged. Try again.",
            "server error",
        )
    }

    pub(super) fn refused(refusal: &oidc::Refusal) -> Failure {
        let (code, message, user_id) = match refusal {
            oidc::Refusal::NotLinked => (
                "not_linked",
                "No BillTracker account is linked to this sign-in; ask an admin.",
                None,
            ),
            oidc::Refusal::Inactive { user_id } => (
                "account_inactive",
                "This account is deactivated; ask an admin to activate it.",
                Some(*user_id),
            ),
            oidc::Refusal::CannotProvision(_) => (
                "cannot_provision",
                "A BillTracker account could not be created for this sign-in; ask an admin.",
                None,
            ),
        };
        Failure {
            user_id,
            audited: true,
            ..Failure::new(code, message, refusal.reason())
        }
    }

    /// The login page showing this failure.
    pub fn location(&self) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("error", self.code)
            .append_pair("message", &self.message)
            .finish();
        format!("/login?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_page_url_carries_the_code_and_an_encoded_sentence() {
        let failure = Failure::invalid_state("unknown or expired state");
        assert_eq!(
            failure.location(),
            "/login?error=invalid_state&message=This+sign-in+has+expired+or+was+already+used.+Start+the+sign-in+again."
        );
    }
}
