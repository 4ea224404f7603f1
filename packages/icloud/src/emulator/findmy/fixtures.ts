import { createHash } from 'node:crypto'
import type { EmulatedAccount } from '../state.js'

/** A point of a scripted track. */
export interface TrackPoint {
  readonly latitude: number
  readonly longitude: number
}

/** A device the emulator invents for an account: what never changes about it. */
export interface DeviceFixture {
  readonly id: string
  readonly name: string
  readonly deviceDisplayName: string
  readonly deviceModel: string
  readonly rawDeviceModel: string
  readonly deviceClass: string
  /** The family member's person id, or null for the account's own devices. */
  readonly prsId: string | null
  /** Where it goes, one point a minute, looping; one point: it stays put. */
  readonly track: readonly TrackPoint[]
  /** Battery at the start, 0 to 1. */
  readonly battery: number
  /** A Mac on mains power reports `Charged`. */
  readonly mains: boolean
}

/** The family member the emulator gives every account. */
export interface MemberFixture {
  readonly prsId: string
  readonly firstName: string
  readonly lastName: string
  readonly appleId: string
}

// A loop around Apple Park, Cupertino (a walk of about 2 km), and one through Palo Alto.
const PARK: readonly TrackPoint[] = [
  { latitude: 37.3349, longitude: -122.009 },
  { latitude: 37.3368, longitude: -122.0075 },
  { latitude: 37.3375, longitude: -122.0052 },
  { latitude: 37.3363, longitude: -122.0031 },
  { latitude: 37.3341, longitude: -122.0027 },
  { latitude: 37.3322, longitude: -122.0044 },
  { latitude: 37.3318, longitude: -122.0069 },
  { latitude: 37.3331, longitude: -122.0088 },
]
const PALO_ALTO: readonly TrackPoint[] = [
  { latitude: 37.4443, longitude: -122.1598 },
  { latitude: 37.4419, longitude: -122.1612 },
  { latitude: 37.4396, longitude: -122.1585 },
  { latitude: 37.4412, longitude: -122.1553 },
]

/** A stable device id in Apple's style (base64 of a digest) for `account` and `slot`. */
function deviceId(account: EmulatedAccount, slot: string): string {
  return createHash('sha256').update(`${account.dsid}:${slot}`).digest('base64').slice(0, 40)
}

/** The family member of `account`. */
export function memberOf(account: EmulatedAccount): MemberFixture {
  return {
    prsId: `${Number(account.dsid) + 1}`,
    firstName: 'Sam',
    lastName: account.lastName,
    appleId: `sam.${account.appleId}`,
  }
}

/** The devices of `account`: an iPhone that walks a loop, a Mac at home, and a family member's iPhone. */
export function deviceFixtures(account: EmulatedAccount): DeviceFixture[] {
  const member = memberOf(account)
  return [
    {
      id: deviceId(account, 'iphone'),
      name: `${account.firstName}'s iPhone`,
      deviceDisplayName: 'iPhone 15 Pro',
      deviceModel: 'iphone15pro-1-2-0',
      rawDeviceModel: 'iPhone16,1',
      deviceClass: 'iPhone',
      prsId: null,
      track: PARK,
      battery: 0.95,
      mains: false,
    },
    {
      id: deviceId(account, 'mac'),
      name: `${account.firstName}'s MacBook Pro`,
      deviceDisplayName: 'MacBook Pro 14"',
      deviceModel: 'MacBookPro18_3-spacegray',
      rawDeviceModel: 'MacBookPro18,3',
      deviceClass: 'MacBookPro',
      prsId: null,
      track: [{ latitude: 37.3318, longitude: -122.0312 }],
      battery: 1,
      mains: true,
    },
    {
      id: deviceId(account, 'family-iphone'),
      name: `${member.firstName}'s iPhone`,
      deviceDisplayName: 'iPhone 13',
      deviceModel: 'iphone13-1-4-0',
      rawDeviceModel: 'iPhone14,5',
      deviceClass: 'iPhone',
      prsId: member.prsId,
      track: PALO_ALTO,
      battery: 0.6,
      mains: false,
    },
  ]
}

/** Minutes a track point lasts. */
const STEP_MS = 60_000

/** Where a device is `elapsedMs` after the emulator first showed it: between two points of its track. */
export function positionAt(track: readonly TrackPoint[], elapsedMs: number): TrackPoint {
  if (track.length === 1) return track[0]!
  const steps = Math.max(0, elapsedMs) / STEP_MS
  const index = Math.floor(steps) % track.length
  const from = track[index]!
  const to = track[(index + 1) % track.length]!
  const f = steps - Math.floor(steps)
  return {
    latitude: round(from.latitude + (to.latitude - from.latitude) * f),
    longitude: round(from.longitude + (to.longitude - from.longitude) * f),
  }
}

/**
 * Battery `elapsedMs` later: 1 % every 6 minutes down to 20 %, then charging 2 % every 6 minutes back
 * to the start (a whole cycle repeats). A device on mains stays `Charged`.
 */
export function batteryAt(fixture: DeviceFixture, elapsedMs: number): { level: number; status: string } {
  if (fixture.mains) return { level: 1, status: 'Charged' }
  const start = Math.round(fixture.battery * 100)
  const drain = start - 20
  const charge = Math.ceil(drain / 2)
  const step = Math.floor(Math.max(0, elapsedMs) / 360_000) % (drain + charge)
  if (step < drain) return { level: (start - step) / 100, status: 'NotCharging' }
  return { level: Math.min(start, 20 + (step - drain) * 2) / 100, status: 'Charging' }
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6
}
