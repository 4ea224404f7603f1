/**
 * CloudKit Web Services protocol constants, in one place. Section numbers refer to the protocol notes
 * (`docs/protocols/cloudkit.md`); DOC is Apple's archived CloudKit Web Services Reference, VC is CloudKit JS
 * 2.6.4.
 */

import { CLOUDKIT_FIELD_TYPES } from '@sigwire/core/cloudkit'

/** The production host (DOC `SettingUpWebServices`; §1). */
export const CLOUDKIT_API_ORIGIN = 'https://api.apple-cloudkit.com'

/** Web-service API version in every path (§1). */
export const CLOUDKIT_API_VERSION = '1'

/** The three server-to-server headers (DOC; VC), lower-case as received by Node. */
export const HEADER_KEY_ID = 'x-apple-cloudkit-request-keyid'
/** Header carrying the date that was signed, byte-identical to the one in the message (§2.1). */
export const HEADER_DATE = 'x-apple-cloudkit-request-iso8601date'
/** Header carrying base64 of the DER ECDSA signature (§2.1). */
export const HEADER_SIGNATURE = 'x-apple-cloudkit-request-signaturev1'

/** The same headers as Apple spells them (used when sending; HTTP header names are case-insensitive). */
export const HEADER_NAMES_AS_SENT = {
  keyId: 'X-Apple-CloudKit-Request-KeyID',
  date: 'X-Apple-CloudKit-Request-ISO8601Date',
  signature: 'X-Apple-CloudKit-Request-SignatureV1',
} as const

/** Response header carrying the rotated web auth token (DOC rotation; VC header name, §3). */
export const HEADER_WEB_AUTH_TOKEN = 'x-apple-cloudkit-web-auth-token'
/** CloudKit JS falls back to this header name for the rotated token (VC, §3). */
export const HEADER_WEB_AUTH_TOKEN_FALLBACK = 'x-apple-cloudkit-session'

/** Query parameter carrying the API token (DOC, §3). */
export const PARAM_API_TOKEN = 'ckAPIToken'
/** Query parameter carrying the user's web auth token, percent-encoded (DOC, §3). */
export const PARAM_WEB_AUTH_TOKEN = 'ckWebAuthToken'

/** base64(SHA-256("")): the body-hash field of a bodyless request (VC; §2.1, §2.5). */
export const EMPTY_BODY_HASH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='

/**
 * Accepted clock skew in seconds. Apple does not document it; one third-party source says 10 minutes
 * (§2.2, §2.4 DECISION), which is the emulator's and verifier's default.
 */
export const DEFAULT_DATE_WINDOW_SECONDS = 600

/**
 * After a 401, the client re-signs once with the server's clock when the server's `Date` differs from
 * the signed date by more than this. Far below the (unknown) server window, because one extra request
 * is cheap and the real window may be smaller than 10 minutes.
 */
export const RESIGN_SKEW_MS = 60_000

/** The two environments, lower-case; a capitalised `Development` fails (§1; Apple forum 777574). */
export const ENVIRONMENTS = ['development', 'production'] as const
/** The three databases (§1). */
export const DATABASES = ['public', 'private', 'shared'] as const

/** The scalar field types of a record; each also has a `_LIST` form (VC typings; protocol notes §4.1). */
export const FIELD_TYPES = CLOUDKIT_FIELD_TYPES

/** DOC `PropertyMetrics` limits (§4.4). */
export const LIMITS = {
  /** Most operations in one modify request (records, zones, subscriptions). */
  operationsPerRequest: 200,
  /** Most records in one answer, which is also the largest `resultsLimit`. */
  recordsPerResponse: 200,
  /** Most asset upload tokens in one `assets/upload` request. */
  tokensPerRequest: 200,
  /** DOC `PropertyMetrics`: 50 MB per asset field (`UploadAssets` says 15 MB; §2.4). */
  assetBytes: 50 * 1024 * 1024,
} as const

/** The curve CloudKit server-to-server keys use (DOC; §2.3). Node's name for P-256. */
export const KEY_CURVE = 'prime256v1'

/** Key generation and conversion commands quoted in error messages and the README (§2.3). */
export const OPENSSL = {
  /** Makes a P-256 private key as SEC1 PEM (`BEGIN EC PRIVATE KEY`), the form Apple's guide makes. */
  generate: 'openssl ecparam -name prime256v1 -genkey -noout -out eckey.pem',
  /** Writes the key's public half as SPKI PEM, what CloudKit Dashboard asks for. */
  publicKey: 'openssl ec -in eckey.pem -pubout -out eckey.pub.pem',
  /** Converts the key to PKCS#8 PEM, for tools that read only that form (WebCrypto, CryptoKit). */
  toPkcs8: 'openssl pkcs8 -topk8 -nocrypt -in eckey.pem -out eckey.pk8.pem',
} as const
