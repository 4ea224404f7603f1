import type { Raw } from '../raw.js'

/** Where a device was last seen (docs/protocols/icloud.md §8.2). */
export interface FindMyLocation {
  /** Degrees north. */
  readonly latitude: number
  /** Degrees east. */
  readonly longitude: number
  /** Radius of uncertainty, metres. */
  readonly horizontalAccuracy: number
  /** `GPS`, `Wifi`, `Cell`... as Apple names the source. */
  readonly positionType: string
  /** When the fix was taken. */
  readonly timestamp: Date
  /** Apple marks a fix old when the device has not reported for a while. */
  readonly isOld: boolean
  /** Apple marks a fix inaccurate when its accuracy is poor. */
  readonly isInaccurate: boolean
}

/** The last action of one kind sent to a device, as the next refresh reports it. */
export interface FindMyActionState {
  /** When the action was sent. */
  readonly createdAt: Date
  /** Apple's status of the action (`200` done, `205` queued...). */
  readonly statusCode: string
}

/** Lost mode as the device reports it. */
export interface FindMyLostMode extends FindMyActionState {
  /** The number a finder can call. */
  readonly ownerNumber: string
  /** The message shown on the lock screen. */
  readonly text: string
}

/** One device of the account or of its family (`content[]` of `refreshClient`, docs/protocols/icloud.md §8.2). */
export interface FindMyDevice {
  /** Apple's device id: what every action takes. */
  readonly id: string
  /** The name the owner gave it ("Dev's iPhone"). */
  readonly name: string
  /** Marketing name ("iPhone 15 Pro"). */
  readonly displayName: string
  /** `deviceModel` (an image key such as `iphone15pro-1-2-0`). */
  readonly model: string
  /** `rawDeviceModel` (`iPhone16,1`). */
  readonly rawModel: string
  /** `iPhone`, `iPad`, `Mac`, `Watch`... */
  readonly deviceClass: string
  /** `online` (200), `offline` (201), `pending` (203), `unregistered` (204), else the raw code. */
  readonly status: string
  /** 0 to 1, or undefined when unknown. */
  readonly batteryLevel: number | undefined
  /** `Charging`, `NotCharging`, `Charged` or `Unknown`. */
  readonly batteryStatus: string
  /** The last location, when location is on and known. */
  readonly location: FindMyLocation | undefined
  /** True for a family member's device (`prsId` set). */
  readonly family: boolean
  /** The family member's person id, for a family device. */
  readonly personId: string | undefined
  /** What the device can do: sound, message, lost mode, erase, location. */
  readonly can: {
    /** `features.SND`: it can play a sound. */
    readonly sound: boolean
    /** `features.MSG`: it can show a message. */
    readonly message: boolean
    /** `lostModeCapable`: it can enter lost mode. */
    readonly lostMode: boolean
    /** `features.WIP`: it can be erased. */
    readonly wipe: boolean
    /** `features.LOC`: it can be located. */
    readonly locate: boolean
  }
  /** Whether lost mode is on. */
  readonly lostModeEnabled: boolean
  /** The last sound request (`snd`). */
  readonly sound: FindMyActionState | undefined
  /** The last message (`msg`). */
  readonly message: FindMyActionState | undefined
  /** Lost mode details (`lostDevice`). */
  readonly lostMode: FindMyLostMode | undefined
  /** Whether an erase was requested (`wipeInProgress`). */
  readonly wipeInProgress: boolean
  /** The whole device object as Apple sent it. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** A family member whose devices Find My shows (`userInfo.membersInfo`). */
export interface FindMyMember {
  /** The member's person id (devices carry it as `prsId`). */
  readonly personId: string
  /** First name. */
  readonly firstName: string
  /** Last name. */
  readonly lastName: string
  /** The member's Apple ID, when shown. */
  readonly appleId: string | undefined
  /** `DONE`, or `LOADING` while Apple still gathers the member's devices. */
  readonly deviceFetchStatus: string
}

/** One refresh: the devices and the family members. */
export interface FindMySnapshot {
  /** Every device, the account's own first. */
  readonly devices: readonly FindMyDevice[]
  /** The family members (empty without family sharing or when not asked for). */
  readonly members: readonly FindMyMember[]
}

const STATUS: Readonly<Record<string, string>> = {
  '200': 'online',
  '201': 'offline',
  '203': 'pending',
  '204': 'unregistered',
}

function actionState(raw: Raw): FindMyActionState | undefined {
  if (!raw || typeof raw !== 'object') return undefined
  return { createdAt: new Date(Number(raw.createTimestamp ?? 0)), statusCode: String(raw.statusCode ?? '') }
}

function location(raw: Raw): FindMyLocation | undefined {
  if (!raw || typeof raw !== 'object') return undefined
  const latitude = Number(raw.latitude)
  const longitude = Number(raw.longitude)
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined
  return {
    latitude,
    longitude,
    horizontalAccuracy: Number(raw.horizontalAccuracy ?? 0),
    positionType: String(raw.positionType ?? ''),
    timestamp: new Date(Number(raw.timeStamp ?? 0)),
    isOld: raw.isOld === true,
    isInaccurate: raw.isInaccurate === true,
  }
}

/** A device of `refreshClient`'s `content[]`, typed. */
export function toFindMyDevice(raw: Raw): FindMyDevice {
  const features = raw?.features && typeof raw.features === 'object' ? raw.features : {}
  const battery = Number(raw.batteryLevel)
  const lost = raw.lostDevice && typeof raw.lostDevice === 'object' ? raw.lostDevice : undefined
  const lostState = actionState(lost)
  const code = String(raw.deviceStatus ?? '')
  return {
    id: String(raw.id),
    name: String(raw.name ?? ''),
    displayName: String(raw.deviceDisplayName ?? ''),
    model: String(raw.deviceModel ?? ''),
    rawModel: String(raw.rawDeviceModel ?? ''),
    deviceClass: String(raw.deviceClass ?? ''),
    status: STATUS[code] ?? code,
    batteryLevel: raw.batteryLevel === null || !Number.isFinite(battery) ? undefined : battery,
    batteryStatus: String(raw.batteryStatus ?? 'Unknown'),
    location: location(raw.location),
    family: raw.prsId !== null && raw.prsId !== undefined,
    personId: raw.prsId === null || raw.prsId === undefined ? undefined : String(raw.prsId),
    can: {
      sound: features.SND === true,
      message: features.MSG === true,
      lostMode: raw.lostModeCapable === true,
      wipe: features.WIP === true,
      locate: features.LOC === true,
    },
    lostModeEnabled: raw.lostModeEnabled === true,
    sound: actionState(raw.snd),
    message: actionState(raw.msg),
    lostMode:
      lost && lostState
        ? { ...lostState, ownerNumber: String(lost.ownerNbr ?? ''), text: String(lost.text ?? '') }
        : undefined,
    wipeInProgress: raw.wipeInProgress === true,
    raw,
  }
}

/** The family members of `userInfo.membersInfo`. */
export function toFindMyMembers(userInfo: Raw): FindMyMember[] {
  const members = userInfo?.membersInfo
  if (!members || typeof members !== 'object') return []
  return Object.entries(members as Record<string, Raw>).map(([personId, m]) => ({
    personId,
    firstName: String(m?.firstName ?? ''),
    lastName: String(m?.lastName ?? ''),
    appleId: typeof m?.appleId === 'string' ? m.appleId : undefined,
    deviceFetchStatus: String(m?.deviceFetchStatus ?? ''),
  }))
}
