import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { answer, iCloudFailure, requestJson } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'
import { spendEraseToken } from './erase-token.js'
import { batteryAt, type DeviceFixture, deviceFixtures, memberOf, positionAt } from './fixtures.js'

/** An action's stamp as the device reports it (`snd`, `msg`, `lostDevice`, `remoteWipe`). */
interface Stamp {
  createTimestamp: number
  statusCode: string
  [field: string]: unknown
}

/** What happened to one device: the last action of each kind. */
interface DeviceActions {
  snd?: Stamp
  msg?: Stamp
  lostDevice?: Stamp
  remoteWipe?: Stamp
}

/** The durable Find My state of one account (table `findmy`, keyed by Apple ID). */
export interface FindMyState {
  /** When the account's devices were first shown: the tracks and batteries count from here. */
  startedAt: number
  /** The last actions per device id. */
  devices: Record<string, DeviceActions>
  /** Every action, oldest first (the last 200), for tests and `GET /_emulator/requests` readers. */
  actions: Array<{ at: number; device: string; action: string }>
  /** Erase tokens from `fmipWebAuthenticate` not yet used, with when they expire (§25). */
  eraseTokens?: Record<string, number>
}

const BASE = '/fmipservice/client/web/'
const ACTIONS = new Set(['playSound', 'sendMessage', 'lostDevice', 'remoteWipe', 'remoteWipeWithUserAuth'])

/**
 * Find My (`webservices.findme`, docs/protocols/icloud.md §8.2, §18.1): `initClient` and
 * `refreshClient` answer the devices where their scripted tracks have taken them, with battery; the
 * actions are recorded durably and show on the next refresh. Undefined for other paths.
 */
export function handleFindMy(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  if (!path.startsWith(BASE)) return undefined
  const call = path.slice(BASE.length)
  if (request.method !== 'POST')
    throw iCloudFailure(405, { statusCode: '405', error: 'Find My calls are POSTs' })
  const body = requestJson<Record<string, unknown>>(request) ?? {}
  const state = loadState(ctx, account)
  if (call === 'initClient' || call === 'refreshClient') {
    const clientContext = (body.clientContext ?? {}) as { fmly?: unknown }
    ctx.tx.put('findmy', account.appleId, state)
    return answer(200, snapshot(ctx, account, state, clientContext.fmly === true))
  }
  if (!ACTIONS.has(call)) return undefined
  const id = body.device
  const fixture = typeof id === 'string' ? deviceFixtures(account).find((d) => d.id === id) : undefined
  if (!fixture)
    throw iCloudFailure(404, {
      statusCode: '404',
      error: 'No such device',
    })
  // The user-auth erase spends a token from `{setup}/fmipWebAuthenticate` (§25).
  if (call === 'remoteWipeWithUserAuth') spendEraseToken(ctx, state, body.authToken)
  const now = ctx.now()
  const actions: DeviceActions = Object.hasOwn(state.devices, fixture.id) ? state.devices[fixture.id]! : {}
  const text = (name: string, max: number) => {
    const value = body[name]
    if (value === undefined || value === null) return ''
    if (typeof value !== 'string' || value.length > max)
      throw iCloudFailure(400, {
        statusCode: '400',
        error: `${name} must be text of at most ${max} characters`,
      })
    return value
  }
  switch (call) {
    case 'playSound':
      actions.snd = { createTimestamp: now, statusCode: '200' }
      break
    case 'sendMessage':
      actions.msg = {
        createTimestamp: now,
        statusCode: '200',
        userText: body.userText === true,
        playSound: body.sound === true,
        vibrate: body.vibrate === true,
        strobe: body.strobe === true,
        subject: text('subject', 160),
        text: text('text', 160),
      }
      break
    case 'lostDevice':
      actions.lostDevice = {
        createTimestamp: now,
        statusCode: '2204',
        stopLostMode: body.lostModeEnabled === false,
        emailUpdates: true,
        userText: body.userText === true,
        sound: false,
        ownerNbr: text('ownerNbr', 32),
        text: text('text', 160),
      }
      break
    default:
      actions.remoteWipe = { createTimestamp: now, statusCode: '200', text: text('text', 160) }
  }
  state.devices[fixture.id] = actions
  state.actions.push({ at: now, device: fixture.id, action: call })
  if (state.actions.length > 200) state.actions.splice(0, state.actions.length - 200)
  ctx.tx.put('findmy', account.appleId, state)
  const answerBody = snapshot(ctx, account, state, true)
  return answer(200, {
    ...answerBody,
    content: (answerBody.content as Array<{ id: string }>).filter((d) => d.id === fixture.id),
    statusCode: '200',
  })
}

/** The account's Find My state, made on first use. */
function loadState(ctx: ICloudContext, account: EmulatedAccount): FindMyState {
  const saved = ctx.data.findmy.get(account.appleId)
  if (saved) return saved
  return { startedAt: ctx.now(), devices: Object.create(null), actions: [] }
}

/** The answer of `initClient`/`refreshClient`. */
function snapshot(
  ctx: ICloudContext,
  account: EmulatedAccount,
  state: FindMyState,
  family: boolean,
): Record<string, unknown> {
  const now = ctx.now()
  const member = memberOf(account)
  const devices = deviceFixtures(account).filter((d) => family || d.prsId === null)
  return {
    userInfo: {
      accountFormatter: 0,
      firstName: account.firstName,
      lastName: account.lastName,
      membersInfo: family
        ? {
            [member.prsId]: {
              accountFormatter: 0,
              firstName: member.firstName,
              lastName: member.lastName,
              deviceFetchStatus: 'DONE',
              useAuthWidget: true,
              isHSA: true,
              appleId: member.appleId,
            },
          }
        : {},
      hasMembers: family,
    },
    serverContext: {
      minCallbackIntervalInMS: 5000,
      callbackIntervalInMS: 2000,
      maxCallbackIntervalInMS: 60000,
      prsId: Number(account.dsid),
      sessionLifespan: 900000,
      serverTimestamp: now,
      timezone: { tzName: 'America/Los_Angeles', currentOffset: -25200000 },
      maxLocatingTime: 90000,
      deviceLoadStatus: '200',
      isHSA: account.secondFactor === 'hsa2',
      classicUser: false,
      cloudUser: true,
      validRegion: true,
    },
    alert: null,
    userPreferences: { webPrefs: { id: 'web_prefs', selectedDeviceId: devices[0]?.id } },
    content: devices.map((d) => deviceJson(d, state, now)),
  }
}

/** One device of `content[]`, with the shape of pyicloud's `FMI_FAMILY_WORKING` example. */
function deviceJson(d: DeviceFixture, state: FindMyState, now: number): Record<string, unknown> {
  const elapsed = now - state.startedAt
  const at = positionAt(d.track, elapsed)
  const battery = batteryAt(d, elapsed)
  const actions: DeviceActions = Object.hasOwn(state.devices, d.id) ? state.devices[d.id]! : {}
  const wiped = actions.remoteWipe !== undefined
  return {
    id: d.id,
    name: d.name,
    deviceDisplayName: d.deviceDisplayName,
    deviceModel: d.deviceModel,
    rawDeviceModel: d.rawDeviceModel,
    modelDisplayName: d.deviceClass.startsWith('Mac') ? 'MacBook Pro' : 'iPhone',
    deviceClass: d.deviceClass,
    isMac: d.deviceClass.startsWith('Mac'),
    prsId: d.prsId,
    baUUID: '',
    deviceStatus: wiped ? '203' : '200',
    batteryLevel: battery.level,
    batteryStatus: battery.status,
    lowPowerMode: battery.level < 0.2,
    locationCapable: true,
    locationEnabled: true,
    isLocating: true,
    lostModeCapable: true,
    lostModeEnabled: actions.lostDevice !== undefined && actions.lostDevice.stopLostMode !== true,
    lostDevice: actions.lostDevice ?? null,
    lostTimestamp: actions.lostDevice ? String(actions.lostDevice.createTimestamp) : '',
    snd: actions.snd ?? null,
    msg: actions.msg ?? null,
    remoteWipe: actions.remoteWipe ?? null,
    wipeInProgress: wiped,
    wipedTimestamp: actions.remoteWipe?.createTimestamp ?? null,
    activationLocked: true,
    passcodeLength: 6,
    maxMsgChar: 160,
    fmlyShare: d.prsId !== null,
    thisDevice: false,
    features: {
      SND: true,
      MSG: true,
      LOC: true,
      LST: true,
      LCK: true,
      WIP: true,
      LKM: false,
      TEU: true,
      REM: false,
    },
    location: wiped
      ? null
      : {
          latitude: at.latitude,
          longitude: at.longitude,
          horizontalAccuracy: d.track.length === 1 ? 65 : 4.5,
          verticalAccuracy: 0,
          altitude: 0,
          floorLevel: 0,
          positionType: d.track.length === 1 ? 'Wifi' : 'GPS',
          locationType: '',
          timeStamp: now - 2000,
          isOld: false,
          isInaccurate: false,
          locationFinished: true,
        },
  }
}
