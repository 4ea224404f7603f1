import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { deviceFixtures, memberOf } from '../findmy/fixtures.js'
import { answer } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'

/**
 * The account page (`webservices.account`, docs/protocols/icloud.md §8.1, §18.4): the devices signed
 * in (the account's own Find My devices) and the family (the account as organiser and the member whose
 * iPhone Find My shows). Undefined for other paths.
 */
export function handleAccountPage(
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  if (request.method !== 'GET') return undefined
  if (path === '/setup/web/device/getDevices') {
    const devices = deviceFixtures(account)
      .filter((d) => d.prsId === null)
      .map((d, i) => ({
        name: d.name,
        model: d.rawDeviceModel,
        modelDisplayName: d.deviceDisplayName,
        osVersion: d.deviceClass.startsWith('Mac') ? 'OSX;15.1' : 'iOS;18.1',
        serialNumber: `●●●●●●●${d.deviceClass.startsWith('Mac') ? 'MB' : 'PH'}${100 + i}`,
        udid: `${d.rawDeviceModel}-${account.dsid}`,
        imei: '',
        paymentMethods: [],
      }))
    return answer(200, { devices, paymentMethods: [] })
  }
  if (path === '/setup/web/family/getFamilyDetails') {
    const member = memberOf(account)
    const familyId = `family-${account.dsid}`
    const person = (dsid: string, appleId: string, firstName: string, lastName: string, parent: boolean) => ({
      dsid,
      appleId,
      appleIdForPurchases: appleId,
      originalInvitationEmail: appleId,
      firstName,
      lastName,
      fullName: `${firstName} ${lastName}`,
      ageClassification: 'ADULT',
      familyId,
      hasParentalPrivileges: parent,
      hasScreenTimeEnabled: false,
      hasAskToBuyEnabled: false,
      hasSharePurchasesEnabled: parent,
      hasShareMyLocationEnabled: true,
      dsidForPurchases: dsid,
    })
    return answer(200, {
      'status-message': 'Member of a family.',
      isMemberOfFamily: true,
      familyInvitations: [],
      outgoingTransferRequests: [],
      family: {
        familyId,
        organizer: account.dsid,
        members: [account.dsid, member.prsId],
        invitations: [],
        transferRequests: [],
        outgoingTransferRequests: [],
        etag: '1',
      },
      familyMembers: [
        person(account.dsid, account.appleId, account.firstName, account.lastName, true),
        person(member.prsId, member.appleId, member.firstName, member.lastName, false),
      ],
    })
  }
  return undefined
}
