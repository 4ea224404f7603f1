import type { FaultController, RequestLog } from '@sigwire/emulator-kit'
import { uiError } from '../errors.js'
import type { UiService } from '../service.js'

/** An emulated iCloud account as {@link ICloudEmulatorLike} reads it. */
export interface ICloudAccountLike {
  /** The Apple ID. */
  readonly appleId: string
  /** Given name. */
  readonly firstName: string
  /** Family name. */
  readonly lastName: string
  /** `hsa2`, `2sa` or `none`. */
  readonly secondFactor: string
  /** `global` or `cn`. */
  readonly region: string
  /** Trusted phone numbers. */
  readonly trustedPhones: ReadonlyArray<ICloudTrustedPhoneLike>
}

/** A trusted phone number of an {@link ICloudAccountLike}. */
export interface ICloudTrustedPhoneLike {
  /** Apple's id of the number. */
  readonly id: number
  /** The full number (the UI shows its last two digits only). */
  readonly numberWithDialCode: string
  /** `sms` or `voice`. */
  readonly pushMode: string
}

/** What {@link iCloudUiService} needs of a running iCloud emulator (`startICloudEmulator`). */
export interface ICloudEmulatorLike {
  /** Base URL. */
  readonly url: string
  /** Request log. */
  readonly log: RequestLog
  /** Fault controls. */
  readonly faults: FaultController
  /** The development account. */
  readonly dev:
    | {
        /** The development Apple ID. */
        readonly appleId: string
        /** Its password. */
        readonly password: string
        /** Its fixed two-factor code. */
        readonly twoFactorCode: string
      }
    | undefined
  /** Accounts and their codes. */
  readonly accounts: {
    /** Every Apple ID. */
    list(): string[]
    /** One account. */
    get(appleId: string): ICloudAccountLike | undefined
    /** The last verification code issued for the account. */
    lastCode(appleId: string): string | undefined
    /** Expires the account's sessions (and with `sessionTokens`, its session tokens). */
    expireSessions(appleId: string, options?: { sessionTokens?: boolean; trust?: boolean }): void
  }
}

/**
 * The iCloud emulator for the UI: accounts with their trusted phones, the current verification code
 * (shown on an explicit reveal: it is the emulator's own test credential) and a control that expires an
 * account's sessions.
 */
export function iCloudUiService(emulator: ICloudEmulatorLike): UiService {
  const account = (input: Readonly<Record<string, unknown>>): string => {
    const appleId = input.appleId
    if (typeof appleId !== 'string' || emulator.accounts.get(appleId) === undefined)
      throw uiError('NOT_FOUND', 'appleId must name an account of the emulator.')
    return appleId
  }
  return {
    id: 'icloud',
    label: 'iCloud',
    url: emulator.url,
    log: emulator.log,
    faults: emulator.faults,
    ...(emulator.dev
      ? {
          credentials: () => ({
            appleId: emulator.dev?.appleId,
            password: emulator.dev?.password,
            twoFactorCode: emulator.dev?.twoFactorCode,
          }),
        }
      : {}),
    state: () => ({
      accounts: emulator.accounts.list().map((appleId) => {
        const a = emulator.accounts.get(appleId)!
        return {
          appleId,
          name: `${a.firstName} ${a.lastName}`,
          secondFactor: a.secondFactor,
          region: a.region,
          trustedPhones: a.trustedPhones.map((p) => ({
            id: p.id,
            // The number's last two digits, as Apple shows it on the code page.
            number: `•••• ${p.numberWithDialCode.slice(-2)}`,
            pushMode: p.pushMode,
          })),
          hasCode: emulator.accounts.lastCode(appleId) !== undefined,
        }
      }),
    }),
    actions: {
      'reveal-code': (input) => ({ code: emulator.accounts.lastCode(account(input)) ?? null }),
      'expire-sessions': (input) => {
        emulator.accounts.expireSessions(account(input), { sessionTokens: input.sessionTokens === true })
        return { expired: true }
      },
    },
  }
}
