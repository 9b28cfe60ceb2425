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

// Bills, categories, payments and the monthly tracker.
export type Category = Schemas['Category'];
export type CategoryInput = Schemas['CategoryInput'];
export type Bill = Schemas['Bill'];
/** `POST /api/bills` and `PATCH /api/bills/{id}`: absent keeps, null clears. */
export type BillInput = Schemas['BillInput'];
export type AmountKind = Schemas['AmountKind'];
export type Cycle = Schemas['Cycle'];
export type Bucket = Schemas['Bucket'];
export type Payment = Schemas['Payment'];
export type PaymentInput = Schemas['PaymentInput'];
export type PaymentPage = Schemas['PaymentPage'];
export type PaymentIds = Schemas['PaymentIds'];
export type PaymentMethod = Schemas['Method'];
export type BulkPay = Schemas['BulkPay'];
export type BulkPaid = Schemas['BulkPaid'];
/** `GET /api/tracker`: one month by bucket, with the server's totals. */
export type Tracker = Schemas['Tracker'];
export type TrackerBucket = Schemas['BucketView'];
export type TrackerTotals = Schemas['Totals'];
/** One occurrence (a bill's due date) in the tracker. */
export type TrackerRow = Schemas['Row'];
export type OccurrenceStatus = Schemas['Status'];
export type MonthOverride = Schemas['Override'];
export type OverrideBody = Schemas['OverrideBody'];
export type OverrideAnswer = Schemas['OverrideAnswer'];
export type QuickPay = Schemas['QuickPay'];

// Monthly planning, the calendar and its iCal feeds.
/** `GET /api/summary`: the month's plan and the server's figures for it. */
export type Summary = Schemas['Summary'];
/** `PUT /api/summary`: starting money to change and, when present, the whole income list. */
export type SummaryInput = Schemas['SummaryInput'];
export type SummaryFigures = Schemas['Figures'];
export type SummaryBucket = Schemas['BucketFigures'];
export type Income = Schemas['Income'];
export type IncomeInput = Schemas['IncomeInput'];
/** `GET /api/calendar`: one entry per day of the month. */
export type MonthCalendar = Schemas['MonthCalendar'];
export type CalendarDay = Schemas['Day'];
export type CalendarOccurrence = Schemas['CalendarOccurrence'];
export type CalendarPayment = Schemas['CalendarPayment'];
/** A calendar feed as listed: its URL is never sent again after create or regenerate. */
export type CalendarFeed = Schemas['Feed'];
export type CalendarFeedWithUrl = Schemas['FeedWithUrl'];
export type NewCalendarFeed = Schemas['NewFeed'];
export type FeedPreviewEvent = Schemas['PreviewEvent'];

// Admin operations: Status, backups and cleanup.
/** `GET /api/admin/status`: the whole Status report. */
export type StatusReport = Schemas['Report'];
export type ServiceStatus = Schemas['ServiceStatus'];
export type QueueStats = Schemas['QueueStats'];
export type RecordedError = Schemas['RecordedError'];
/** A managed backup; its id is its file name. */
export type Backup = Schemas['Backup'];
export type BackupKind = Schemas['Kind'];
export type BackupVerification = Schemas['Verification'];
/** `POST /api/admin/backups/{id}/restore`. */
export type BackupRestored = Schemas['Restored'];
export type CleanupTask = Schemas['Task'];
/** One cleanup task: what it would remove now, or what it removed. */
export type CleanupTaskCount = Schemas['TaskCount'];
export type CleanupRequest = Schemas['CleanupRequest'];
export type CleanupResult = Schemas['CleanupResult'];
