import type { FaultController, RequestLog } from '@sigwire/emulator-kit'
import { uiError } from '../errors.js'
import type { UiService } from '../service.js'

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
    | { readonly appleId: string; readonly password: string; readonly twoFactorCode: string }
    | undefined
  /** Accounts and their codes. */
  readonly accounts: {
    list(): string[]
    get(appleId: string):
      | {
          appleId: string
          firstName: string
          lastName: string
          secondFactor: string
          region: string
          trustedPhones: ReadonlyArray<{ id: number; numberWithDialCode: string; pushMode: string }>
        }
      | undefined
    lastCode(appleId: string): string | undefined
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
