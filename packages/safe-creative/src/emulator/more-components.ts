import type { Transaction } from '@sigwire/emulator-kit'
import type { ParamPair } from '../signing/params.js'
import { getUser, linkUser, modifyUser, unlinkUser, userQuota } from './accounts.js'
import type { ScContext } from './context.js'
import { addRightsHolder, listRightsHolders, removeRightsHolder } from './rights-holders.js'
import {
  countriesXml,
  licenseFeaturesXml,
  searchByFields,
  searchByHash,
  searchByQuery,
  semanticQuery,
  workTypesTreeXml,
} from './search.js'
import type { AuthkeyRecord } from './state.js'
import {
  attachFile,
  downloadAnyWork,
  downloadOwnWork,
  registrationCertificate,
  sendCertificate,
  uploadTicketStatus,
} from './work-files.js'
import type { XmlNode } from './xml.js'

/**
 * Components answered without an authorized authkey: public lookups and searches, and those signed
 * with the application's key (docs/protocols/safe-creative.md §9). Undefined for any other component.
 */
export function appComponent(
  ctx: ScContext,
  tx: Transaction,
  name: string,
  params: readonly ParamPair[],
): XmlNode | undefined {
  switch (name) {
    case 'user.countries':
      return countriesXml()
    case 'license.features':
      return licenseFeaturesXml()
    case 'work.types.tree':
      return workTypesTreeXml()
    case 'search.byquery':
      return searchByQuery(ctx, params)
    case 'search.byfields':
      return searchByFields(ctx, params)
    case 'search.byhash':
      return searchByHash(ctx, params)
    case 'semantic.query':
      return semanticQuery(ctx, params)
    case 'user.link':
      return linkUser(ctx, tx, params)
    case 'user.unlink':
      return unlinkUser(ctx, tx, params)
    case 'user.get':
      return getUser(ctx, params)
    case 'user.quota':
      return userQuota(ctx, params)
    case 'work.download':
      return downloadAnyWork(ctx, tx, params)
  }
  return undefined
}

/** Components of an authorized authkey at the level they need (§9). Undefined for any other component. */
export function userComponent(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  name: string,
  params: readonly ParamPair[],
): XmlNode | undefined {
  switch (name) {
    case 'user.modify':
      return modifyUser(ctx, tx, record, params)
    case 'work.download.private':
      return downloadOwnWork(ctx, tx, record, params)
    case 'work.certificate':
      return sendCertificate(ctx, tx, record, params)
    case 'work.registration-certificate':
      return registrationCertificate(ctx, tx, record, params)
    case 'work.attachfile':
      return attachFile(ctx, tx, record, params)
    case 'work.uploadticket.status':
      return uploadTicketStatus(ctx, record, params)
    case 'work.rightsholders.add':
      return addRightsHolder(ctx, tx, record, params)
    case 'work.rightsholders.list':
      return listRightsHolders(ctx, record, params)
    case 'work.rightsholders.remove':
      return removeRightsHolder(ctx, tx, record, params)
  }
  return undefined
}
