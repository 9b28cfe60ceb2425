import type { components, paths } from './schema';

/** The JSON body of a successful GET on `P`, as the OpenAPI document describes it. */
export type GetResponse<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

type Schemas = components['schemas'];

/** A user account, as `/api/auth/me` and the admin user endpoints return it. */
export type User = Schemas['User'];
export type Role = Schemas['Role'];
export type AuthSource = Schemas['AuthSource'];

/** `GET /api/auth/mode`: which sign-in methods are on. */
export type AuthMode = Schemas['AuthMode'];
export type OidcMode = Schemas['OidcMode'];
export type LoginBody = Schemas['LoginBody'];

/** One entry of `GET /api/profile/logins`. */
export type LoginEvent = Schemas['LoginEvent'];
export type ProfilePatch = Schemas['ProfilePatch'];
export type PasswordChange = Schemas['PasswordChange'];

export type CreateUser = Schemas['CreateUser'];
export type PatchUser = Schemas['PatchUser'];
export type ResetPassword = Schemas['ResetPassword'];
export type ResetAnswer = Schemas['ResetAnswer'];
export type DeleteUser = Schemas['DeleteUser'];

/** `GET /api/admin/audit`: one page of the audit log, newest first. */
export type AuditPage = Schemas['AuditPage'];
export type AuditEntry = Schemas['AuditEntry'];

/** `GET /api/admin/settings/auth`. The client secret itself is never returned. */
export type AuthSettings = Schemas['AuthSettingsView'];
/**
 * `PUT /api/admin/settings/auth`: any subset. An empty string clears a stored value (the
 * environment's applies again); a null or absent secret keeps the stored one.
 */
export type AuthSettingsUpdate = Schemas['AuthSettingsUpdate'];
export type TokenAuthMethod = Schemas['TokenAuthMethod'];

/** `POST /api/admin/settings/auth/oidc/test`: one line per check, in order. */
export type OidcTestReport = Schemas['OidcTestReport'];
export type OidcCheck = Schemas['OidcCheck'];
