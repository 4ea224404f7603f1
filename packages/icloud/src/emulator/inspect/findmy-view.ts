import { batteryAt, deviceFixtures, memberOf, positionAt } from '../findmy/fixtures.js'
import type { FindMyState } from '../findmy/handler.js'
import type { EmulatedAccount } from '../state.js'

/** A Find My device as the emulator UI draws it. */
export interface InspectedDevice {
  /** The device id clients see. */
  readonly id: string
  /** Its name (`Jane's iPhone`). */
  readonly name: string
  /** Its model as shown (`iPhone 15 Pro`). */
  readonly model: string
  /** Whose it is: the account holder's name, or the family member's. */
  readonly owner: string
  /** Where it is now. */
  readonly latitude: number
  /** Where it is now. */
  readonly longitude: number
  /** Battery, 0 to 1. */
  readonly battery: number
  /** `Charging`, `NotCharging` or `Charged`. */
  readonly batteryStatus: string
  /** The loop it walks (one point: it stays put). */
  readonly track: ReadonlyArray<{
    /** Latitude, degrees. */
    readonly latitude: number
    /** Longitude, degrees. */
    readonly longitude: number
  }>
}

/**
 * The account's devices where the emulator's Find My puts them now: the same tracks and clock as
 * `initClient`/`refreshClient` (a device the account never asked for starts its track now). Reads
 * only: nothing is written.
 */
export function findMyDevices(
  account: EmulatedAccount,
  state: FindMyState | undefined,
  now: number,
): InspectedDevice[] {
  const elapsed = state ? now - state.startedAt : 0
  const member = memberOf(account)
  return deviceFixtures(account).map((d) => {
    const at = positionAt(d.track, elapsed)
    const battery = batteryAt(d, elapsed)
    return {
      id: d.id,
      name: d.name,
      model: d.deviceDisplayName,
      owner:
        d.prsId === null
          ? `${account.firstName} ${account.lastName}`
          : `${member.firstName} ${member.lastName}`,
      latitude: at.latitude,
      longitude: at.longitude,
      battery: battery.level,
      batteryStatus: battery.status,
      track: d.track,
    }
  })
}
