import type { FaultController, RequestLog } from '@sigwire/emulator-kit'
import { uiError } from '../errors.js'
import type { UiDownload, UiService } from '../service.js'

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
  /** The code the emulated trusted device shows for a bridge sign-in under way. */
  bridgeCode?(appleId: string): string | undefined
  /** The state browser's reads and the account options (`ICloudInspector` of @sigwire/icloud/emulator). */
  readonly inspect?: ICloudInspectorLike
}

/** What {@link iCloudUiService} reads of the iCloud emulator's `inspect`. */
export interface ICloudInspectorLike {
  /** The account's second-factor route, Advanced Data Protection and the routes it can take. */
  accountOptions(appleId: string): unknown
  /** Changes them as `POST /_emulator/icloud/account-options` does. */
  setAccountOptions(
    appleId: string,
    change: {
      /** The route of the next sign-in. */
      twoFactor?: string
      /** Advanced Data Protection on or off. */
      advancedDataProtection?: boolean
    },
  ): Promise<unknown>
  /** The account's web sessions (named by a digest, never their cookie). */
  sessions(appleId: string): unknown
  /** Expires one web session by id. */
  expireSession(id: string): Promise<boolean>
  /** A Drive folder (the root without `folderId`). */
  driveFolder(appleId: string, folderId?: string): unknown
  /** A Drive file to download. */
  driveFile(appleId: string, fileId: string): UiDownload | undefined
  /** The Photos libraries with albums. */
  photos(appleId: string, limit?: number): unknown
  /** The tile of a Photos asset. */
  photoTile(appleId: string, zone: string, assetId: string): UiDownload | undefined
  /** Find My devices where they are now. */
  findMy(appleId: string): unknown
}

/**
 * The iCloud emulator for the UI: accounts with their trusted phones, the current two-factor and
 * bridge codes (shown on an explicit reveal: they are the emulator's own test credentials), the
 * account options (second-factor route, Advanced Data Protection), sessions with "expire one" and
 * "expire all", and, when the emulator has `inspect`, the Drive tree, the Photos libraries and the
 * Find My devices.
 */
export function iCloudUiService(emulator: ICloudEmulatorLike): UiService {
  const account = (input: Readonly<Record<string, unknown>>): string => {
    const appleId = input.appleId
    if (typeof appleId !== 'string' || emulator.accounts.get(appleId) === undefined)
      throw uiError('NOT_FOUND', 'appleId must name an account of the emulator.')
    return appleId
  }
  const text = (input: Readonly<Record<string, unknown>>, name: string): string => {
    const value = input[name]
    if (typeof value !== 'string' || value === '' || value.length > 500)
      throw uiError('INVALID_ARGUMENT', `Give ${name}.`)
    return value
  }
  const inspect = emulator.inspect
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
          hasBridgeCode: emulator.bridgeCode?.(appleId) !== undefined,
          ...(inspect
            ? { options: inspect.accountOptions(appleId), sessions: inspect.sessions(appleId) }
            : {}),
        }
      }),
      browsers: inspect !== undefined,
    }),
    actions: {
      'reveal-code': (input) => ({ code: emulator.accounts.lastCode(account(input)) ?? null }),
      'reveal-bridge-code': (input) => ({ code: emulator.bridgeCode?.(account(input)) ?? null }),
      'expire-sessions': (input) => {
        emulator.accounts.expireSessions(account(input), { sessionTokens: input.sessionTokens === true })
        return { expired: true }
      },
      ...(inspect
        ? {
            'expire-session': async (input) => {
              const id = text(input, 'id')
              if (!(await inspect.expireSession(id)))
                throw uiError('NOT_FOUND', 'No live session has this id: reload the account.')
              return { expired: id }
            },
            'account-options': (input) =>
              inspect.setAccountOptions(account(input), {
                ...(input.twoFactor === undefined ? {} : { twoFactor: text(input, 'twoFactor') }),
                ...(typeof input.advancedDataProtection === 'boolean'
                  ? { advancedDataProtection: input.advancedDataProtection }
                  : {}),
              }),
          }
        : {}),
    },
    ...(inspect
      ? {
          views: {
            drive: (q) => inspect.driveFolder(account(q), q.folderId || undefined) ?? null,
            photos: (q) => inspect.photos(account(q)),
            findmy: (q) => inspect.findMy(account(q)),
          },
          download: async (q: Readonly<Record<string, string>>) => {
            const appleId = account(q)
            if (q.kind === 'drive') return inspect.driveFile(appleId, text(q, 'id'))
            if (q.kind === 'photo') return inspect.photoTile(appleId, text(q, 'zone'), text(q, 'asset'))
            throw uiError('INVALID_ARGUMENT', 'kind must be drive or photo.')
          },
        }
      : {}),
  }
}
