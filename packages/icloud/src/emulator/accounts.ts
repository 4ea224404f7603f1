import { createHash, randomBytes, randomInt } from 'node:crypto'
import { toBase64, toHex } from '@sigwire/core'
import type { DurableStore, Transaction } from '@sigwire/emulator-kit'
import { normalizeAppleId } from '../session/state.js'
import { derivePasswordKeySync, type SrpProtocol } from '../srp/password.js'
import { computeVerifier } from '../srp/server.js'
import { type ICloudData, iCloudData } from './context.js'
import type { EmulatedAccount } from './state.js'

/** An account given in the emulator's options (the `sigwire emulate --config` shape plus extras). */
export interface ICloudAccountConfig {
  /** The Apple ID; trimmed and lower-cased, as the client's SRP account name is (§3.3). */
  appleId: string
  /** The password; only the SRP verifier derived from it is stored. */
  password: string
  /**
   * `true` (default) for a two-factor account; `false` for none; `'2sa'` for legacy two-step;
   * `'bridge'` for a two-factor account whose sign-in page offers the trusted-device bridge (iOS 26.4
   * and later): the emulator plays the push service and the trusted device, whose code is at
   * `GET /_emulator/icloud/bridge-code` (docs/protocols/icloud.md §17).
   */
  twoFactor?: boolean | '2sa' | 'bridge'
  /** A non-2FA account that answers 412 once and needs `repair/complete`. */
  repair?: boolean
  /** `cn` for a China mainland account (`domainToUse` on the global setup host). */
  region?: 'global' | 'cn'
  /** Password protocol `signin/init` chooses. Default `s2k`. */
  protocol?: SrpProtocol
  /** PBKDF2 iterations. Default 1000 (Apple uses about 20 000; lower keeps tests fast). */
  iterations?: number
  /** Salt bytes (base64). Default: 16 random bytes. */
  salt?: string
  /** `dsInfo.firstName` of the account document. Default: from the Apple ID's local part. */
  firstName?: string
  /** `dsInfo.lastName` of the account document. Default `Appleseed`. */
  lastName?: string
  /** A fixed verification code instead of one drawn per request. */
  fixedCode?: string
  /** False for an account without trusted devices (codes by SMS or voice only). Default true. */
  trustedDevices?: boolean
  /**
   * Advanced Data Protection: the `pcsRequired` services answer 423 until web access is approved on a
   * trusted device and `requestPCS` handed out the PCS cookies (docs/protocols/icloud.md §5.5, §13).
   */
  advancedDataProtection?: boolean
  /**
   * Security keys (FIDO2) registered to the account: it then signs in with an assertion from one of
   * them instead of a code (`createSoftwareAuthenticator()` makes one for tests).
   */
  securityKeys?: Array<{
    /** The WebAuthn credential id, base64url. */
    credentialId: string
    /** The credential's public key, SPKI PEM (P-256 or Ed25519). */
    publicKeyPem: string
    /** Shown in the options' `keyNames`. Default "Security key N". */
    name?: string
  }>
}

/** Live control of the emulated accounts, for tests and the demo. */
export class ICloudAccounts {
  readonly #store: DurableStore
  readonly #data: ICloudData
  readonly #now: () => number
  readonly #notify: (
    appleId: string,
    notification: { topic: string; payload: Record<string, unknown> },
  ) => void

  constructor(
    store: DurableStore,
    now: () => number,
    notify: (appleId: string, notification: { topic: string; payload: Record<string, unknown> }) => void,
  ) {
    this.#store = store
    this.#data = iCloudData(store)
    this.#now = now
    this.#notify = notify
  }

  /**
   * Adds (or replaces) an account. The password is turned into a verifier and forgotten. The account
   * is usable at once; `written` resolves when it is durable.
   */
  add(config: ICloudAccountConfig): EmulatedAccount {
    const appleId = normalizeAppleId(config.appleId)
    const protocol = config.protocol ?? 's2k'
    const iterations = config.iterations ?? 1000
    const salt = config.salt ? Buffer.from(config.salt, 'base64') : randomBytes(16)
    const key = derivePasswordKeySync(config.password, salt, iterations, protocol)
    const dsid = String(
      BigInt(`0x${createHash('sha256').update(appleId).digest('hex').slice(0, 12)}`) % 10_000_000_000n,
    )
    const secondFactor = config.twoFactor === '2sa' ? '2sa' : config.twoFactor === false ? 'none' : 'hsa2'
    const account: EmulatedAccount = {
      appleId,
      dsid,
      firstName: config.firstName ?? titleCase(appleId.split('@')[0]!.split(/[._-]/)[0] ?? 'Jane'),
      lastName: config.lastName ?? 'Appleseed',
      secondFactor,
      repair: config.repair ?? false,
      region: config.region ?? 'global',
      protocol,
      iterations,
      salt: toBase64(salt),
      verifier: toHex(computeVerifier(key, salt)),
      ...(config.fixedCode ? { fixedCode: config.fixedCode } : {}),
      ...(config.trustedDevices === false ? { trustedDevices: false } : {}),
      ...(config.twoFactor === 'bridge' ? { bridge: true } : {}),
      ...(config.advancedDataProtection ? { adp: true } : {}),
      ...(config.securityKeys?.length
        ? {
            securityKeys: config.securityKeys.map((k, i) => ({
              credentialId: k.credentialId,
              publicKeyPem: k.publicKeyPem,
              name: k.name ?? `Security key ${i + 1}`,
              signCount: 0,
            })),
          }
        : {}),
      trustedPhones: [
        { id: 1, numberWithDialCode: '+1 (•••) •••-••03', pushMode: 'sms' },
        { id: 2, numberWithDialCode: '+44 •••• ••••21', pushMode: 'voice' },
      ],
    }
    this.written = this.#store.write((tx) => tx.put('accounts', appleId, account))
    return account
  }

  /** Resolves when the last change made through this object is durable. */
  written: Promise<void> = Promise.resolve()

  /** The account, if it exists. */
  get(appleId: string): EmulatedAccount | undefined {
    return this.#data.accounts.get(normalizeAppleId(appleId))
  }

  /** Every Apple ID. */
  list(): string[] {
    return [...this.#data.accounts.keys()]
  }

  /**
   * The last verification code sent for `appleId` (what the user would read on a device or SMS); with
   * `via`, the code the trusted devices show (`device`, see {@link ICloudAccounts.deviceCode}) or the
   * last one sent to a phone (`phone`).
   */
  lastCode(appleId: string, via?: 'device' | 'phone'): string | undefined {
    const id = normalizeAppleId(appleId)
    const fixed = this.get(id)?.fixedCode
    if (via === 'device') return fixed ?? this.#data.lastCodes.get(`device:${id}`)
    if (via === 'phone') return this.#data.lastCodes.get(`phone:${id}`)
    return this.#data.lastCodes.get(id)
  }

  /**
   * The code the account's trusted devices show now, made there if none is showing: what a user reads
   * in Settings, "Get Verification Code", without any request to Apple (Apple accepts such a code,
   * icloudpd #1322). `written` resolves when it is durable.
   */
  deviceCode(appleId: string): string {
    const id = normalizeAppleId(appleId)
    const current = this.lastCode(id, 'device')
    if (current) return current
    const code = drawCode()
    this.written = this.#store.write((tx) => tx.put('lastCodes', `device:${id}`, code))
    return code
  }

  /** Sends a code to the trusted devices (`device`) or a phone, in the request's transaction. */
  issueCode(appleId: string, tx: Transaction, via: 'device' | 'phone' = 'device'): string {
    const id = normalizeAppleId(appleId)
    const code = this.get(id)?.fixedCode ?? drawCode()
    tx.put('lastCodes', id, code)
    tx.put('lastCodes', `${via}:${id}`, code)
    return code
  }

  /**
   * Approves the pending web-access request of an Advanced Data Protection account, as the user does
   * on a trusted device (`pcsApproval: 'manual'`). Returns false when nothing was asked.
   */
  approveWebAccess(appleId: string): boolean {
    const id = normalizeAppleId(appleId)
    const state = this.#data.pcs.get(id)
    if (!state || state.requestedAt === 0) return false
    this.written = this.#store.write((tx) => tx.put('pcs', id, { ...state, consentedAt: this.#now() }))
    return true
  }

  /** Which M1 encodings the account's successful sign-ins used, oldest first. */
  proofVariants(appleId: string): string[] {
    return [...(this.#data.proofVariants.get(normalizeAppleId(appleId)) ?? [])]
  }

  /**
   * Expires the account's web sessions now (services answer 421); with `sessionTokens` also the
   * idmsa session tokens, and with `trust` the trust tokens.
   */
  expireSessions(appleId: string, options: { sessionTokens?: boolean; trust?: boolean } = {}): void {
    const id = normalizeAppleId(appleId)
    const past = this.#now() - 1
    const data = this.#data
    this.written = this.#store.write((tx) => {
      const expire = <T extends { appleId: string; expiresAt: number }>(
        table: string,
        rows: Iterable<[string, T]>,
      ) => {
        for (const [key, row] of rows) if (row.appleId === id) tx.put(table, key, { ...row, expiresAt: past })
      }
      expire('webSessions', data.webSessions)
      if (options.sessionTokens) expire('sessionTokens', data.sessionTokens)
      if (options.trust) expire('trustTokens', data.trustTokens)
    })
  }

  /** Publishes a push notification to the account's webcourier long polls. */
  notify(appleId: string, topic: string, payload: Record<string, unknown> = {}): void {
    this.#notify(normalizeAppleId(appleId), { topic, payload })
  }
}

function drawCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0')
}

function titleCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
