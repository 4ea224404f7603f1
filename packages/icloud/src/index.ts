/**
 * @sigwire/icloud: iCloud.com from Node.js. SRP-6a sign-in (Apple's GSA variant, native modular
 * exponentiation), two-factor and two-step codes through a callback, browser trust, a cookie session
 * persisted by a session store and sent only to allowlisted hosts, re-authentication on 421/450, and
 * the web services of the account page.
 *
 * @packageDocumentation
 */
export type { AccountInfo } from './auth/account.js'
export type {
  TwoFactorAnswer,
  TwoFactorChallenge,
  TwoFactorHandler,
  TwoFactorOption,
} from './auth/two-factor.js'
export type {
  AlarmTrigger,
  CalendarCollection,
  CalendarEvent,
  CalendarRange,
  CalendarService,
} from './client/calendar.js'
export type { CalendarDate } from './client/calendar-date.js'
export { calendarDay, decodeCalendarDate, encodeCalendarDate } from './client/calendar-date.js'
export type {
  Contact,
  ContactField,
  ContactGroup,
  ContactsService,
  ContactsStartup,
} from './client/contacts.js'
export type { Heartbeat, HeartbeatService } from './client/heartbeat.js'
export {
  createICloudClient,
  ICloudClient,
  type ICloudClientOptions,
  type LoginOptions,
  type LoginResult,
  SESSION_COOKIE_NAME,
} from './client/icloud-client.js'
export type { KeyValueApp, KeyValueService, KeyValueSync } from './client/keyvalue.js'
export {
  PUSH_TOPICS,
  type PushNotification,
  type PushService,
  type PushToken,
  type PushTopicState,
} from './client/push.js'
export type { StorageByMedia, StorageService, StorageUsage } from './client/storage.js'
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
  diagnoseICloudRequest,
  diagnoseICloudSignIn,
  ICLOUD_FINDING_CODES,
  type ICloudFindingCode,
  type ICloudSignInEvidence,
} from './doctor/diagnose.js'
export { ICloudError, type ICloudErrorCode, isICloudError } from './errors.js'
export { HostPolicy, type HostPolicyOptions, type HostVerdict, isLoopback } from './session/host-policy.js'
export {
  type ICloudRegion,
  newSessionState,
  normalizeAppleId,
  type SessionState,
  type WebService,
} from './session/state.js'
export { FileSessionStore, MemorySessionStore, type SessionStore } from './session/store.js'
export {
  createSrpClient,
  type SrpChallenge,
  type SrpClient,
  type SrpClientOptions,
  type SrpProof,
} from './srp/client.js'
export { SRP_GROUP_2048, type SrpGroup } from './srp/group.js'
export {
  derivePasswordKey,
  derivePasswordKeySync,
  passwordDigestInput,
  SRP_PROTOCOLS,
  type SrpProtocol,
} from './srp/password.js'
export {
  type ClientProofInput,
  type ClientProofResult,
  computeVerifier,
  createServerChallenge,
  type ProofVariant,
  SERVER_PROOF_ENCODINGS,
  type SrpServerChallenge,
  verifyClientProof,
} from './srp/server.js'
export { GSA_ENCODING, type M1Inputs, m1Tokens, m2Tokens, type ProofEncoding } from './srp/tokens.js'
