/**
 * @sigwire/icloud: iCloud.com from Node.js. SRP-6a sign-in (Apple's GSA variant, native modular
 * exponentiation), two-factor and two-step codes through a callback, browser trust, a cookie session
 * persisted by a session store and sent only to allowlisted hosts, re-authentication on 421/450, and
 * the web services of the account page.
 *
 * @packageDocumentation
 */

/** The options every call takes last, and the transport options (from @sigwire/core). */
export type { CallOptions, TlsOptions, TransportOptions } from '@sigwire/core'
export type { AccountInfo } from './auth/account.js'
export type {
  SecurityKeyAssertion,
  SecurityKeyChallenge,
  SecurityKeyHandler,
} from './auth/security-key.js'
export type {
  TwoFactorAnswer,
  TwoFactorChallenge,
  TwoFactorHandler,
  TwoFactorMethod,
  TwoFactorOption,
} from './auth/two-factor.js'
export type {
  WebAccessApproval,
  WebAccessApprovalHandler,
  WebAccessState,
  WebAccessTiming,
} from './auth/web-access.js'
export type { AccountApi, AccountDevice, Family, FamilyMember } from './client/account/account.js'
export type {
  AlarmTrigger,
  CalendarApi,
  CalendarCollection,
  CalendarEvent,
  CalendarRange,
} from './client/calendar.js'
export type { CalendarDate } from './client/calendar-date.js'
export { calendarDay, decodeCalendarDate } from './client/calendar-date.js'
export type {
  CalendarEventChanges,
  CalendarWriteApi,
  EventAlarm,
  EventRecurrence,
  NewCalendar,
  NewCalendarEvent,
  SavedCalendar,
  SavedEvent,
} from './client/calendar-writes/calendar-writes.js'
export type {
  Contact,
  ContactField,
  ContactGroup,
  ContactsApi,
  ContactsStartup,
} from './client/contacts.js'
export type {
  ContactGroupMembers,
  ContactGroupsApi,
} from './client/contacts-groups/contacts-groups.js'
export type {
  ContactChanges,
  ContactsWriteApi,
  NewContact,
  NewContactField,
  SavedContact,
} from './client/contacts-writes/contacts-writes.js'
export {
  CLOUD_DOCS_ZONE,
  ROOT_DRIVEWSID,
  TRASH_DRIVEWSID,
  TRASH_ROOT,
} from './client/drive/ids.js'
export { MAX_NAME_BYTES } from './client/drive/names.js'
export type {
  DownloadOptions,
  DownloadResult,
  DownloadToFileOptions,
  DriveApi,
  DriveEntry,
  DriveFolder,
  DriveItem,
  DriveItemType,
  DriveProgressListener,
  UploadOptions,
  WalkOptions,
} from './client/drive/types.js'
export type {
  FindMyApi,
  FindMyLostModeOptions,
  FindMyMessageOptions,
  FindMyRefreshOptions,
  FindMySoundOptions,
  FindMyWipeOptions,
} from './client/findmy/findmy.js'
export type {
  FindMyActionState,
  FindMyDevice,
  FindMyLocation,
  FindMyLostMode,
  FindMyMember,
  FindMySnapshot,
} from './client/findmy/models.js'
export type { Heartbeat, HeartbeatApi } from './client/heartbeat.js'
export type { HmeAlias, HmeApi, HmeMetadata } from './client/hme/hme.js'
export {
  type BridgeOptions,
  createICloudClient,
  type ICloudClient,
  type ICloudClientOptions,
  type LoginOptions,
  type LoginResult,
} from './client/icloud-client.js'
export type { KeyValueApi, KeyValueApp, KeyValueSync } from './client/keyvalue.js'
export type { NotesApi } from './client/notes/notes.js'
export { noteBodyToText } from './client/notes/paragraphs.js'
export { noteBodyToHtml, noteBodyToMarkdown } from './client/notes/render.js'
export type {
  Note,
  NoteAttachmentRef,
  NoteBody,
  NoteFolder,
  NoteParagraphStyle,
  NoteRun,
  NoteSummary,
  NotesExportResult,
  NotesListOptions,
} from './client/notes/types.js'
export type { PhotosApi } from './client/photos/photos.js'
export type { SharedAlbumsApi } from './client/photos/shared-albums.js'
export type {
  AssetsOptions,
  PhotoAlbum,
  PhotoAsset,
  PhotoChanges,
  PhotoDownloadOptions,
  PhotoDownloadResult,
  PhotoLibrary,
  PhotoResource,
  PhotoResourceKind,
  PhotosFilter,
  PhotosFilterValue,
  PhotosZoneID,
  RenditionsOption,
  SharedAlbum,
  SharedAlbumAssetsOptions,
} from './client/photos/types.js'
export {
  PUSH_TOPICS,
  type PushApi,
  type PushNotification,
  type PushToken,
  type PushTopicState,
} from './client/push.js'
export type {
  NewReminder,
  Reminder,
  ReminderChanges,
  ReminderList,
  ReminderQuery,
  RemindersApi,
  ReminderUpdate,
} from './client/reminders/types.js'
export type { StorageApi, StorageByMedia, StorageUsage } from './client/storage.js'
export type { WebAccessApi } from './client/web-access-api.js'
export {
  CHINA_ENDPOINTS,
  CLIENT_BUILD_NUMBER,
  CLIENT_MASTERING_NUMBER,
  GLOBAL_ENDPOINTS,
  type ICloudEndpoints,
  TELEMETRY_HOSTS,
  WEBAUTH_TOKEN_COOKIE,
  WIDGET_KEY,
} from './constants.js'
export {
  ICLOUD_ERROR_CODES,
  ICloudError,
  type ICloudErrorCode,
  type ICloudFailure,
  isICloudError,
} from './errors.js'
export { HostPolicy, type HostPolicyOptions, type HostVerdict } from './session/host-policy.js'
export {
  createSharedSessionStore,
  type SharedSessionStoreOptions,
} from './session/shared-store.js'
export { type ICloudRegion, normalizeAppleId, type SessionState, type WebService } from './session/state.js'
export {
  createFileSessionStore,
  createMemorySessionStore,
  type SessionFleet,
  type SessionStore,
  sessionFileName,
} from './session/store.js'
export {
  createSrpClient,
  type SrpChallenge,
  type SrpClient,
  type SrpClientOptions,
  type SrpProof,
} from './srp/client.js'
export type { SrpGroup } from './srp/group.js'
export { derivePasswordKey, SRP_PROTOCOLS, type SrpProtocol } from './srp/password.js'
export type { ProofEncoding } from './srp/tokens.js'
