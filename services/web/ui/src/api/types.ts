import type { paths } from './schema';

/** The JSON body of a successful GET on `P`, as the OpenAPI document describes it. */
export type GetResponse<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

// TODO: replace these with the generated schemas once the auth endpoints are in openapi.json.

export type Role = 'admin' | 'user';
export type AuthSource = 'local' | 'oidc' | 'both';

/** A user account, as `/api/auth/me` and the admin user endpoints return it. */
export interface User {
  id: number;
  username: string;
  display_name: string | null;
  email: string | null;
  role: Role;
  active: boolean;
  auth_source: AuthSource;
  must_change_password: boolean;
  last_login_at: string | null;
  created_at: string;
}

/** `GET /api/auth/mode`: which sign-in methods are on. */
export interface AuthMode {
  local: boolean;
  oidc: {
    enabled: boolean;
    provider_name: string | null;
    login_url: string;
  };
}

/** One entry of `GET /api/profile/logins`. */
export interface LoginRecord {
  at: string;
  success: boolean;
  method: 'local' | 'oidc';
  ip: string | null;
  user_agent: string | null;
}

/** `GET /api/admin/audit`: one page of the audit log, newest first. */
export interface AuditPage {
  items: AuditEntry[];
  next: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

export type TokenAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** `GET /api/admin/settings/auth`. The client secret itself is never returned. */
export interface AuthSettings {
  local_enabled: boolean;
  oidc_enabled: boolean;
  provider_name: string | null;
  issuer_url: string | null;
  client_id: string | null;
  client_secret_set: boolean;
  token_auth_method: TokenAuthMethod;
  redirect_uri: string | null;
  scopes: string | null;
  groups_claim: string | null;
  admin_group: string | null;
  auto_provision: boolean;
  link_by_email: boolean;
}

/** `PUT /api/admin/settings/auth`: any subset; a null or absent secret keeps the stored one. */
export type AuthSettingsUpdate = Partial<Omit<AuthSettings, 'client_secret_set'>> & {
  client_secret?: string | null;
};

/** `POST /api/admin/settings/auth/oidc/test`. */
export interface OidcTestResult {
  ok: boolean;
  checks: OidcCheck[];
  groups_claim_seen: string[] | null;
}

export interface OidcCheck {
  name: 'issuer' | 'discovery' | 'redirect_uri' | 'client_credentials';
  /** null when the provider gives no way to check. */
  ok: boolean | null;
  message: string;
}
