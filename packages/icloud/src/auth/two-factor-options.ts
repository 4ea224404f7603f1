import { bootArgsOf } from './boot-args.js'
import type { FsaChallenge } from './security-key.js'

/** A trusted phone number as the two-factor options list it. */
export interface TrustedPhone {
  readonly id: number
  /** The number as shown (`+1 (•••) •••-••03`). */
  readonly number: string
  /** `sms` or `voice`. */
  readonly pushMode: string
}

/** The two-factor options of a sign-in, whichever form Apple answered in. */
export interface TwoFactorOptions {
  readonly phones: readonly TrustedPhone[]
  /** Apple's default number (`trustedPhoneNumber`). */
  readonly defaultPhone: TrustedPhone | undefined
  readonly hasTrustedDevices: boolean
  /** `auth/verify/trusteddevice`, `auth/verify/phone`, `auth/bridge/step`... */
  readonly initialRoute: string | undefined
  readonly codeLength: number
  /** The WebAuthn challenge of an account protected by security keys. */
  readonly fsaChallenge: FsaChallenge | undefined
  readonly keyNames: readonly string[]
  /** The trusted-device bridge Apple offers instead of a pushed code (iOS 26.4 and later), when it does. */
  readonly bridge: BridgeInitiation | undefined
}

/** What the page says about the trusted-device bridge (docs/protocols/icloud.md §17.1). */
export interface BridgeInitiation {
  /** The push topic the device answers on. */
  readonly apnsTopic: string
  /** The push websocket host (`host[:port]`, or a `wss://` URL), when given. */
  readonly webSocketUrl: string | undefined
  /** `prod` or `sandbox`: the push host when no `webSocketUrl` is given. */
  readonly apnsEnvironment: string | undefined
  /** Sent as `X-Apple-App-Id` on the bridge calls. */
  readonly sourceAppId: string | undefined
}

type Raw = Record<string, unknown>

const record = (value: unknown): Raw | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined

function phone(value: unknown): TrustedPhone | undefined {
  const p = record(value)
  const id =
    typeof p?.id === 'number'
      ? p.id
      : typeof p?.id === 'string' && /^\d+$/.test(p.id)
        ? Number(p.id)
        : undefined
  if (!p || id === undefined) return undefined
  const shown = [p.numberWithDialCode, p.obfuscatedNumber].find((v) => typeof v === 'string') as
    | string
    | undefined
  return { id, number: shown ?? `#${id}`, pushMode: p.pushMode === 'voice' ? 'voice' : 'sms' }
}

function fsa(value: unknown): FsaChallenge | undefined {
  const f = record(value)
  if (!f || typeof f.challenge !== 'string' || typeof f.rpId !== 'string') return undefined
  const handles = Array.isArray(f.keyHandles)
    ? f.keyHandles.filter((h): h is string => typeof h === 'string')
    : []
  return { challenge: f.challenge, keyHandles: handles, rpId: f.rpId }
}

/**
 * Reads the two-factor options (docs/protocols/icloud.md §4.2, §12) from the page's `boot_args`
 * (`direct.twoSV.phoneNumberVerification`, or `direct.twoSV.bridgeInitiateData.phoneNumberVerification`
 * on the 2026 page) or from a JSON answer (flat, or nested under `phoneNumberVerification`, rclone
 * `GetAuthState`).
 */
export function parseTwoFactorOptions(body: string | Raw | undefined): TwoFactorOptions {
  let top: Raw = {}
  let verification: Raw = {}
  let direct: Raw = {}
  if (typeof body === 'string') {
    const boot = bootArgsOf(body)
    direct = record(boot?.direct) ?? {}
    const twoSV = record(direct.twoSV) ?? {}
    top = { ...twoSV, ...direct }
    verification =
      record(twoSV.phoneNumberVerification) ??
      record(record(twoSV.bridgeInitiateData)?.phoneNumberVerification) ??
      {}
  } else if (body) {
    top = body
    verification = record(body.phoneNumberVerification) ?? body
  }
  const listed = Array.isArray(verification.trustedPhoneNumbers) ? verification.trustedPhoneNumbers : []
  const phones = listed.map(phone).filter((p): p is TrustedPhone => p !== undefined)
  const defaultPhone = phone(verification.trustedPhoneNumber) ?? phones[0]
  if (defaultPhone && !phones.some((p) => p.id === defaultPhone.id)) phones.unshift(defaultPhone)
  const length = record(verification.securityCode)?.length
  const names = top.keyNames ?? verification.keyNames
  return {
    phones,
    defaultPhone,
    hasTrustedDevices: (top.hasTrustedDevices ?? verification.hasTrustedDevices) !== false,
    initialRoute: typeof top.authInitialRoute === 'string' ? top.authInitialRoute : undefined,
    codeLength: typeof length === 'number' && length > 0 ? length : 6,
    fsaChallenge: fsa(top.fsaChallenge ?? verification.fsaChallenge),
    keyNames: Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [],
    bridge: bridgeOf(top),
  }
}

/**
 * The bridge, offered when the page starts at `auth/bridge/step`, the account has trusted devices and
 * `bridgeInitiateData` names a push topic (pyicloud `base.py` L891-899, `hsa2_bridge.py` L824-832).
 */
function bridgeOf(top: Raw): BridgeInitiation | undefined {
  const data = record(top.bridgeInitiateData)
  if (top.authInitialRoute !== 'auth/bridge/step' || top.hasTrustedDevices === false || !data)
    return undefined
  if (typeof data.apnsTopic !== 'string' || data.apnsTopic === '') return undefined
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
  const app = top.sourceAppId ?? data.sourceAppId
  return {
    apnsTopic: data.apnsTopic,
    webSocketUrl: text(data.webSocketUrl),
    apnsEnvironment: text(data.apnsEnvironment),
    sourceAppId: typeof app === 'number' || typeof app === 'string' ? String(app) : undefined,
  }
}
