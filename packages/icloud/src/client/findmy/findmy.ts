import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import { type FindMyDevice, type FindMySnapshot, toFindMyDevice, toFindMyMembers } from './models.js'

/** Options of a Find My refresh. */
export interface FindMyRefreshOptions extends CallOptions {
  /** Include the family's devices (`clientContext.fmly`). Default true. */
  readonly family?: boolean
}

/** Options of {@link FindMyApi.playSound}. */
export interface FindMySoundOptions extends CallOptions {
  /** The alert's title. Default `Find My iPhone Alert` (what pyicloud sends). */
  readonly subject?: string
}

/** Options of {@link FindMyApi.sendMessage}. */
export interface FindMyMessageOptions extends CallOptions {
  /** The message shown on the device (at most 160 characters, the device's `maxMsgChar`). */
  readonly text: string
  /** The alert's title. Default `Find My iPhone Alert`. */
  readonly subject?: string
  /** Play a sound with the message. Default false. */
  readonly sound?: boolean
}

/** Options of {@link FindMyApi.lostMode}. */
export interface FindMyLostModeOptions extends CallOptions {
  /** The number a finder can call from the lock screen (digits, spaces, `+ ( ) -`). */
  readonly phoneNumber: string
  /** The lock-screen message. Default `This device has been lost. Please call me.` */
  readonly text?: string
  /** A new passcode for a device without one (4 or 6 digits); default none. */
  readonly passcode?: string
}

/** Options of {@link FindMyApi.remoteWipe}. */
export interface FindMyWipeOptions extends CallOptions {
  /**
   * The device's name, typed by the user: the wipe is sent only when it equals the device's `name`
   * (erasing cannot be undone), else `CONFIRMATION_REQUIRED`.
   */
  readonly confirm: string
  /** The message shown after the erase. */
  readonly text?: string
  /** A passcode for the erased device's lock (4 or 6 digits); default none. */
  readonly passcode?: string
  /**
   * `userAuth` (default): `remoteWipeWithUserAuth` with an erase token from `{setup}/fmipWebAuthenticate`,
   * what pyicloud sends (docs/protocols/icloud.md §25). `plain`: the older `remoteWipe` without a token
   * (§18.1, unverified against Apple).
   */
  readonly method?: 'userAuth' | 'plain'
}

/** Find My (`webservices.findme`, docs/protocols/icloud.md §8.2, §18.1). */
export interface FindMyApi {
  /**
   * `POST {findme}/fmipservice/client/web/initClient` the first time, then `refreshClient` with the
   * server context the last answer gave: every device with its location, battery and status, and the
   * family members.
   */
  refresh(options?: FindMyRefreshOptions): Promise<FindMySnapshot>
  /** The devices of a fresh {@link FindMyApi.refresh}, one at a time. */
  devices(options?: FindMyRefreshOptions): AsyncIterableIterator<FindMyDevice>
  /** One device by id or by name (names must be unique), refreshed; `NOT_FOUND` when none matches. */
  device(idOrName: string, options?: FindMyRefreshOptions): Promise<FindMyDevice>
  /** `playSound`: the device plays a sound; answers the device as it is now. */
  playSound(device: string, options?: FindMySoundOptions): Promise<FindMyDevice>
  /** `sendMessage`: shows a message on the device. */
  sendMessage(device: string, options: FindMyMessageOptions): Promise<FindMyDevice>
  /** `lostDevice`: turns lost mode on with a phone number and a message. */
  lostMode(device: string, options: FindMyLostModeOptions): Promise<FindMyDevice>
  /**
   * Erases the device (`remoteWipeWithUserAuth` after `fmipWebAuthenticate`, or `remoteWipe`); refused
   * without `confirm` equal to the device's name, and for a device that cannot be erased.
   */
  remoteWipe(device: string, options: FindMyWipeOptions): Promise<FindMyDevice>
}

const BASE = '/fmipservice/client/web'
const MAX_TEXT = 160

/** The {@link FindMyApi} of a session. */
export class FindMyService implements FindMyApi {
  #serverContext: Raw

  constructor(readonly caller: ServiceCaller) {}

  async refresh(options: FindMyRefreshOptions = {}): Promise<FindMySnapshot> {
    const clientContext: Record<string, unknown> = {
      appName: 'iCloud Find (Web)',
      appVersion: '2.0',
      apiVersion: '3.0',
      deviceListVersion: 1,
      fmly: options.family ?? true,
      timezone: this.caller.timeZone,
      inactiveTime: 0,
    }
    const first = this.#serverContext === undefined
    const body: Record<string, unknown> = { clientContext }
    if (!first) {
      // The web app sends back the server context of the last answer (pyicloud findmyiphone.py l. 175).
      body.serverContext = this.#serverContext
      body.isUpdatingAllLocations = true
      clientContext.shouldLocate = true
      clientContext.selectedDevice = 'all'
    }
    const raw = await this.#post(first ? 'initClient' : 'refreshClient', body, options)
    if (raw?.serverContext && typeof raw.serverContext === 'object') this.#serverContext = raw.serverContext
    return {
      devices: (Array.isArray(raw?.content) ? raw.content : []).map(toFindMyDevice),
      members: toFindMyMembers(raw?.userInfo),
    }
  }

  async *devices(options: FindMyRefreshOptions = {}): AsyncIterableIterator<FindMyDevice> {
    yield* (await this.refresh(options)).devices
  }

  async device(idOrName: string, options: FindMyRefreshOptions = {}): Promise<FindMyDevice> {
    if (typeof idOrName !== 'string' || idOrName.trim() === '')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'Name a device by its id or its name, as findMy.devices() lists them.',
        details: { argument: 'device' },
      })
    const { devices } = await this.refresh(options)
    const byId = devices.find((d) => d.id === idOrName)
    if (byId) return byId
    const wanted = idOrName.trim().toLowerCase()
    const named = devices.filter((d) => d.name.toLowerCase() === wanted)
    if (named.length === 1) return named[0]!
    if (named.length > 1)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `${named.length} devices are named ${JSON.stringify(idOrName)}: name the device by its id.`,
        details: { argument: 'device' },
      })
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `No Find My device has the id or name ${JSON.stringify(idOrName.slice(0, 80))}; list the devices with findMy.devices() (sigwire icloud findmy ls).`,
      details: { kind: 'device' },
    })
  }

  async playSound(device: string, options: FindMySoundOptions = {}): Promise<FindMyDevice> {
    const target = await this.device(device, options)
    return this.#act(
      target,
      'playSound',
      {
        device: target.id,
        subject: options.subject ?? 'Find My iPhone Alert',
        clientContext: { fmly: true },
      },
      options,
    )
  }

  async sendMessage(device: string, options: FindMyMessageOptions): Promise<FindMyDevice> {
    const text = checkText(options?.text, 'text', true)
    const target = await this.device(device, options)
    return this.#act(
      target,
      'sendMessage',
      {
        device: target.id,
        subject: options.subject ?? 'Find My iPhone Alert',
        userText: true,
        text,
        sound: options.sound === true,
        vibrate: false,
        strobe: false,
      },
      options,
    )
  }

  async lostMode(device: string, options: FindMyLostModeOptions): Promise<FindMyDevice> {
    const number = options?.phoneNumber
    if (typeof number !== 'string' || !/^\+?[0-9][0-9 ()-]{2,30}$/.test(number.trim()))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'phoneNumber must be a phone number a finder can call, such as +1 408 555 0100.',
        details: { argument: 'phoneNumber' },
      })
    const text = checkText(options.text, 'text', false) ?? 'This device has been lost. Please call me.'
    const passcode = checkPasscode(options.passcode)
    const target = await this.device(device, options)
    return this.#act(
      target,
      'lostDevice',
      {
        device: target.id,
        text,
        userText: true,
        ownerNbr: number.trim(),
        lostModeEnabled: true,
        trackingEnabled: true,
        passcode,
      },
      options,
    )
  }

  async remoteWipe(device: string, options: FindMyWipeOptions): Promise<FindMyDevice> {
    const text = checkText(options?.text, 'text', false) ?? ''
    const passcode = checkPasscode(options?.passcode)
    const method = options?.method ?? 'userAuth'
    if (method !== 'userAuth' && method !== 'plain')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'method must be "userAuth" (the default) or "plain".',
        details: { argument: 'method' },
      })
    const target = await this.device(device, options)
    if (typeof options?.confirm !== 'string' || options.confirm !== target.name)
      throw new ICloudError({
        code: 'CONFIRMATION_REQUIRED',
        message: `Erasing ${JSON.stringify(target.name)} cannot be undone: pass confirm equal to the device's name to erase it.`,
        details: { argument: 'confirm' },
      })
    // pyicloud refuses to erase a device without `features.WIP` (services/findmyiphone.py l. 422-423).
    if (!target.can.wipe)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `${JSON.stringify(target.name)} cannot be erased from iCloud (features.WIP is off).`,
        details: { argument: 'device' },
      })
    if (method === 'plain')
      return this.#act(
        target,
        'remoteWipe',
        { device: target.id, text, userText: text !== '', passcode },
        options,
      )
    const authToken = await this.#eraseToken(options)
    return this.#act(
      target,
      'remoteWipeWithUserAuth',
      { authToken, text, device: target.id, passcode },
      options,
    )
  }

  /** `POST {setup}/fmipWebAuthenticate` with the session token: the one-erase token (§25). */
  async #eraseToken(options: CallOptions): Promise<string> {
    const sessionToken = this.caller.sessionToken()
    if (!sessionToken)
      throw new ICloudError({
        code: 'AUTHENTICATION_REQUIRED',
        message:
          'Erasing needs the session token of a sign-in, which this session does not hold: sign in again with the password (sigwire icloud login), then repeat the erase.',
      })
    const raw = await this.caller.call<Raw>('setup', 'POST', '/fmipWebAuthenticate', {
      body: textBody(JSON.stringify({ dsWebAuthToken: sessionToken })),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
    const erase = raw?.tokens?.mmeFMIPWebEraseDeviceToken
    if (typeof erase !== 'string' || erase === '')
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        message:
          'iCloud gave no erase token (fmipWebAuthenticate answered without tokens.mmeFMIPWebEraseDeviceToken); nothing was erased.',
      })
    this.caller.redact(erase)
    return erase
  }

  /** Sends an action, then answers the device from the action's answer, else from a refresh. */
  async #act(
    target: FindMyDevice,
    action: string,
    body: Record<string, unknown>,
    options: CallOptions,
  ): Promise<FindMyDevice> {
    const raw = await this.#post(action, body, options)
    const updated = (Array.isArray(raw?.content) ? raw.content : []).find((d: Raw) => d?.id === target.id)
    if (updated) return toFindMyDevice(updated)
    return this.device(target.id, options)
  }

  #post(action: string, body: Record<string, unknown>, options: CallOptions): Promise<Raw> {
    return this.caller.call<Raw>('findme', 'POST', `${BASE}/${action}`, {
      body: textBody(JSON.stringify(body)),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
  }
}

function checkText(value: unknown, name: string, required: true): string
function checkText(value: unknown, name: string, required: false): string | undefined
function checkText(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `${name} must be text of 1 to ${MAX_TEXT} characters (what a device's lock screen shows).`,
      details: { argument: name },
    })
  return value
}

function checkPasscode(value: unknown): string {
  if (value === undefined || value === '') return ''
  if (typeof value !== 'string' || !/^(\d{4}|\d{6})$/.test(value))
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: 'passcode must be 4 or 6 digits.',
      details: { argument: 'passcode' },
    })
  return value
}
