//! Reading what a provider answered: OAuth errors in JSON, in a redirect
//! or on an HTML page, quoted at a readable length, with every form of the
//! client secret removed.

use base64::Engine;
use billtracker::accounts::settings::AuthSettings;
use openidconnect::url::form_urlencoded;

/// The longest provider text quoted in a message.
const QUOTE_MAX: usize = 300;

/// The start of a provider's answer: enough to read an error from.
pub(super) fn cut(mut body: String) -> String {
    const KEEP: usize = 64 * 1024;
    if body.len() > KEEP {
        let end = (0..=KEEP)
            .rev()
            .find(|i| body.is_char_boundary(*i))
            .unwrap_or(0);
        body.truncate(end);
    }
    body
}

/// `error` and `error_description` of an OAuth error answer.
pub(super) fn oauth_error(body: &str) -> (Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return (None, None);
    };
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
    (field("error"), field("error_description"))
}

/// The `error` (and description) of a redirect's query, if any.
pub(super) fn error_of_location(location: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let error = get("error")?;
    Some(match get("error_description") {
        Some(description) => format!("{error}: {description}"),
        None => error,
    })
}

pub(super) fn mentions_redirect(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("redirect_uri") || text.contains("redirect uri") || text.contains("redirect url")
}

/// What a provider's answer says: `error: description` of a JSON answer,
/// else the text of an HTML page with its tags and scripts removed.
pub(super) fn provider_text(body: &str) -> String {
    if let (Some(error), description) = oauth_error(body) {
        return match description {
            Some(description) => format!("{error}: {description}"),
            None => error,
        };
    }
    let mut text = String::with_capacity(body.len().min(16 * 1024));
    let mut in_tag = false;
    let mut skipping = false;
    let lower = body.to_ascii_lowercase();
    let mut i = 0;
    let bytes = body.as_bytes();
    while i < bytes.len() {
        if !in_tag && (lower[i..].starts_with("<script") || lower[i..].starts_with("<style")) {
            skipping = true;
        }
        if skipping && (lower[i..].starts_with("</script>") || lower[i..].starts_with("</style>")) {
            skipping = false;
        }
        let c = body[i..].chars().next().unwrap_or(' ');
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag && !skipping => text.push(c),
            _ => {}
        }
        i += c.len_utf8();
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text, |text, (entity, c)| text.replace(entity, c))
}

/// The provider's own words about the redirect URI in a page's text: what
/// follows `error_description`, else the words around its first mention.
pub(super) fn redirect_complaint(text: &str) -> String {
    let Some(at) = text.find("error_description") else {
        return quote_around_redirect(text);
    };
    let rest = text[at + "error_description".len()..].trim_start_matches([' ', ':']);
    let end = [" state :", " state:", " iss :", " iss:"]
        .iter()
        .filter_map(|key| rest.find(key))
        .min()
        .unwrap_or(rest.len());
    quote(rest[..end].trim())
}

/// The part of a long text around its first mention of the redirect URI.
fn quote_around_redirect(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let at = ["redirect_uri", "redirect uri", "redirect url"]
        .iter()
        .filter_map(|needle| lower.find(needle))
        .min()
        .unwrap_or(0);
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(60)
        .map_or(0, |(i, _)| i);
    // Begin at a word.
    let start = match text[start..at].find(' ') {
        Some(space) if start > 0 => start + space + 1,
        _ => start,
    };
    quote(&text[start..])
}

/// A provider's text, cut to a readable length.
pub(super) fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(QUOTE_MAX).collect();
    format!("{cut}…")
}

/// Removes every form of the client secret from a message.
pub(super) struct Redactor {
    forms: Vec<String>,
}

impl Redactor {
    pub(super) fn new(settings: &AuthSettings) -> Redactor {
        let mut forms = Vec::new();
        if let Some(secret) = settings
            .client_secret
            .as_ref()
            .map(|s| s.expose())
            .filter(|s| !s.is_empty())
        {
            let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            let id = settings.client_id.as_deref().unwrap_or_default();
            let id_encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{id_encoded}:{encoded}"));
            forms.extend([secret.to_string(), encoded, basic]);
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        Redactor { forms }
    }

    pub(super) fn apply(&self, message: &str) -> String {
        self.forms.iter().fold(message.to_string(), |text, form| {
            text.replace(form.as_str(), "[redacted]")
        })
    }
}

#[cfg(test)]
mod tests {
    use billtracker::accounts::settings::TokenAuthMethod;
    use billtracker::config::Secret;

    use super::*;

    fn settings() -> AuthSettings {
        AuthSettings {
            local_enabled: true,
            oidc_enabled: true,
            provider_name: "Test".into(),
            issuer_url: None,
            client_id: Some("billtracker".into()),
            client_secret: Some(Secret::new("s3cr&t value")),
            token_auth_method: TokenAuthMethod::ClientSecretBasic,
            redirect_uri: Some("https://bills.example/api/auth/oidc/callback".into()),
            scopes: "openid".into(),
            groups_claim: "groups".into(),
            admin_group: None,
            auto_provision: false,
            link_by_email: false,
        }
    }

    #[test]
    fn every_form_of_the_secret_is_redacted() {
        let redact = Redactor::new(&settings());
        assert_eq!(redact.apply("got s3cr&t value back"), "got [redacted] back");
        assert_eq!(
            redact.apply("got s3cr%26t+value back"),
            "got [redacted] back"
        );
        let basic = base64::engine::general_purpose::STANDARD.encode("billtracker:s3cr%26t+value");
        assert_eq!(redact.apply(&format!("Basic {basic}")), "Basic [redacted]");
    }

    #[test]
    fn provider_pages_are_read_as_text() {
        let page = "<html><style>p{}</style><script>var x='<b>'</script><h1>oops</h1>\
                    <pre>error: invalid_redirect_uri\nerror_description: redirect_uri did not match the client&#39;s</pre></html>";
        assert_eq!(
            provider_text(page),
            "oops error: invalid_redirect_uri error_description: redirect_uri did not match the client's"
        );
        assert_eq!(
            provider_text(r#"{"error":"invalid_request","error_description":"bad redirect_uri"}"#),
            "invalid_request: bad redirect_uri"
        );
        assert!(mentions_redirect(&provider_text(page)));
    }

    #[test]
    fn the_complaint_about_a_redirect_uri_is_quoted_in_the_providers_words() {
        assert_eq!(
            redirect_complaint(
                "oops error : invalid_redirect_uri error_description : redirect_uri did not match state : x"
            ),
            "redirect_uri did not match"
        );
        let long = format!("{}the redirect_uri is unknown", "word ".repeat(40));
        let quoted = redirect_complaint(&long);
        assert!(quoted.starts_with("word ") && quoted.ends_with("the redirect_uri is unknown"));
        assert!(
            quoted.len() <= 90,
            "about 60 characters before the mention: {quoted}"
        );
    }

    #[test]
    fn a_redirect_with_an_error_is_read_from_its_query() {
        assert_eq!(
            error_of_location(
                "https://idp/error?error=invalid_request&error_description=Invalid+redirect_uri"
            ),
            Some("invalid_request: Invalid redirect_uri".into())
        );
        assert_eq!(error_of_location("/interaction/abc"), None);
    }
}
