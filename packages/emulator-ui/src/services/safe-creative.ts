import type { FaultController, RequestLog } from '@sigwire/emulator-kit'
import { uiError } from '../errors.js'
import type { UiService } from '../service.js'

/** An authkey as {@link SafeCreativeEmulatorLike.authkeys} lists it. */
export interface SafeCreativeAuthkeyLike {
  /** The authkey. */
  readonly authkey: string
  /** The app it belongs to. */
  readonly sharedKey: string
  /** True once approved. */
  readonly authorized: boolean
  /** The level granted. */
  readonly level?: string
}

/** What {@link safeCreativeUiService} needs of a running Safe Creative emulator (`startSafeCreativeEmulator`). */
export interface SafeCreativeEmulatorLike {
  /** Base URL. */
  readonly url: string
  /** Request log. */
  readonly log: RequestLog
  /** Fault controls. */
  readonly faults: FaultController
  /** Generated development credentials. */
  readonly dev?: {
    /** The development app's shared key. */
    readonly sharedKey: string
    /** Its private key. */
    readonly privateKey: string
  }
  /** The authkeys it holds. */
  authkeys(): ReadonlyArray<SafeCreativeAuthkeyLike>
  /** The works registered. */
  works(): readonly unknown[]
  /** Denies or revokes an authkey as its user would. */
  deny(authkey: string): Promise<void>
  /** Approves an authkey as its user would. */
  approve(authkey: string, level?: 'GET' | 'ADD' | 'MANAGE'): Promise<void>
}

const LEVELS = ['GET', 'ADD', 'MANAGE'] as const

/** The Safe Creative emulator for the UI: apps, authkeys with approve and deny controls, works. */
export function safeCreativeUiService(emulator: SafeCreativeEmulatorLike): UiService {
  return {
    id: 'safe-creative',
    label: 'Safe Creative',
    url: emulator.url,
    log: emulator.log,
    faults: emulator.faults,
    ...(emulator.dev
      ? { credentials: () => ({ sharedKey: emulator.dev?.sharedKey, privateKey: emulator.dev?.privateKey }) }
      : {}),
    state: () => ({
      apps: emulator.dev ? [{ sharedKey: emulator.dev.sharedKey }] : [],
      authkeys: emulator.authkeys(),
      works: emulator.works(),
    }),
    actions: {
      approve: async (input) => {
        const authkey = input.authkey
        const level = input.level ?? 'MANAGE'
        if (typeof authkey !== 'string' || authkey === '')
          throw uiError('INVALID_ARGUMENT', 'authkey must be the authkey to approve.')
        if (!LEVELS.includes(level as (typeof LEVELS)[number]))
          throw uiError('INVALID_ARGUMENT', `level must be one of ${LEVELS.join(', ')}.`)
        if (!emulator.authkeys().some((k) => k.authkey === authkey))
          throw uiError('NOT_FOUND', 'No such authkey: create one with authkey.create first.')
        await emulator.approve(authkey, level as (typeof LEVELS)[number])
        return { authkey, level }
      },
      deny: async (input) => {
        const authkey = input.authkey
        if (typeof authkey !== 'string' || !emulator.authkeys().some((k) => k.authkey === authkey))
          throw uiError('NOT_FOUND', 'authkey must name an authkey of the emulator.')
        await emulator.deny(authkey)
        return { authkey, authorized: false }
      },
    },
  }
}
