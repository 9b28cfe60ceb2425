-- Users: local accounts, OIDC accounts, or both.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name TEXT,
    email TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    active INTEGER NOT NULL DEFAULT 1,
    -- NULL for an account that signs in only through OIDC.
    password_hash TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    oidc_issuer TEXT,
    oidc_subject TEXT,
    created_at TEXT NOT NULL,
    last_login_at TEXT,
    password_changed_at TEXT,
    UNIQUE (oidc_issuer, oidc_subject)
);

-- Server-side sessions; only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method TEXT NOT NULL CHECK (method IN ('local', 'oidc')),
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Admin actions and sign-ins (successful or not).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT,
    action TEXT NOT NULL,
    target TEXT,
    target_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    detail TEXT,
    ip TEXT,
    user_agent TEXT
);

CREATE INDEX audit_log_by_user ON audit_log (target_user_id, id);
CREATE INDEX audit_log_by_action ON audit_log (action, at);

-- Settings an admin changes in the UI, one JSON document per area.
CREATE TABLE settings (
    area TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- OIDC logins in flight: state, nonce and PKCE verifier kept server-side,
-- because the Strict session cookie is not sent on the provider's redirect.
CREATE TABLE oidc_login_states (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
