import type { CallOptions } from '@sigwire/core'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'

/** A device signed in to the account (`getDevices`, docs/protocols/icloud.md §8.1, §18.4). */
export interface AccountDevice {
  /** The device's name. */
  readonly name: string
  /** Model identifier (`iPhone16,1`). */
  readonly model: string
  /** Marketing name (`iPhone 15 Pro`). */
  readonly modelDisplayName: string
  /** `iOS;18.1`, `OSX;15.1`... */
  readonly osVersion: string
  /** The serial number as Apple shows it (mostly masked). */
  readonly serialNumber: string
  /** The device's udid. */
  readonly udid: string
  /** The whole object as the service sent it. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** A member of the account's family (`getFamilyDetails`). */
export interface FamilyMember {
  /** The member's dsid. */
  readonly dsid: string
  /** The member's Apple ID. */
  readonly appleId: string
  /** First name. */
  readonly firstName: string
  /** Last name. */
  readonly lastName: string
  /** Full name. */
  readonly fullName: string
  /** `ADULT`, `TEEN`, `CHILD`. */
  readonly ageClassification: string
  /** Whether the member can approve purchases and manage the family. */
  readonly hasParentalPrivileges: boolean
  /** Whether this member organises the family. */
  readonly organizer: boolean
}

/** The account's family. */
export interface Family {
  /** The family's id, when the account belongs to one. */
  readonly familyId: string | undefined
  /** Every member, the organiser included (empty outside a family). */
  readonly members: readonly FamilyMember[]
}

/** The account page (`webservices.account`): devices and family; storage is `client.storage`. */
export interface AccountApi {
  /** `GET {account}/setup/web/device/getDevices`: the devices signed in to the account, one at a time. */
  devices(options?: CallOptions): AsyncIterableIterator<AccountDevice>
  /** `GET {account}/setup/web/family/getFamilyDetails`: the family and its members. */
  family(options?: CallOptions): Promise<Family>
}

/** The {@link AccountApi} of a session. Hosts come only from the session's `webservices`. */
export class AccountService implements AccountApi {
  constructor(readonly caller: ServiceCaller) {}

  async *devices(options: CallOptions = {}): AsyncIterableIterator<AccountDevice> {
    const raw = await this.caller.call<Raw>(
      'account',
      'GET',
      '/setup/web/device/getDevices',
      callOptions(options),
    )
    for (const d of Array.isArray(raw?.devices) ? raw.devices : [])
      yield {
        name: String(d?.name ?? ''),
        model: String(d?.model ?? ''),
        modelDisplayName: String(d?.modelDisplayName ?? ''),
        osVersion: String(d?.osVersion ?? ''),
        serialNumber: String(d?.serialNumber ?? ''),
        udid: String(d?.udid ?? ''),
        raw: d ?? {},
      }
  }

  async family(options: CallOptions = {}): Promise<Family> {
    const raw = await this.caller.call<Raw>(
      'account',
      'GET',
      '/setup/web/family/getFamilyDetails',
      callOptions(options),
    )
    const organizer = raw?.family?.organizer
    const members = (Array.isArray(raw?.familyMembers) ? raw.familyMembers : []).map((m: Raw) => ({
      dsid: String(m?.dsid ?? ''),
      appleId: String(m?.appleId ?? ''),
      firstName: String(m?.firstName ?? ''),
      lastName: String(m?.lastName ?? ''),
      fullName: String(m?.fullName ?? ''),
      ageClassification: String(m?.ageClassification ?? ''),
      hasParentalPrivileges: m?.hasParentalPrivileges === true,
      organizer: organizer !== undefined && String(m?.dsid) === String(organizer),
    }))
    return {
      familyId: typeof raw?.family?.familyId === 'string' ? raw.family.familyId : undefined,
      members,
    }
  }
}
