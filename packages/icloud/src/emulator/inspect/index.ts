import type { DurableStore } from '@sigwire/emulator-kit'
import { normalizeAppleId } from '../../session/state.js'
import type { ICloudContext } from '../context.js'
import type { PhotosLibrary } from '../photos/library.js'
import { accountOptions, type ICloudAccountOptions, setAccountOptions } from './account-options.js'
import { driveFile, driveFolder, type InspectedDriveFolder, type InspectedFile } from './drive-view.js'
import { findMyDevices, type InspectedDevice } from './findmy-view.js'
import { type InspectedPhotoLibrary, photoLibraries, photoTile } from './photos-view.js'
import { expireSession, type InspectedSession, listSessions } from './sessions.js'

/**
 * Read-mostly views of the iCloud emulator's state for a state browser (`@sigwire/emulator-ui`):
 * nothing here holds a credential (sessions are named by a digest, codes are read elsewhere on an
 * explicit reveal). Unknown accounts give `undefined` or an empty list.
 */
export interface ICloudInspector {
  /** The account's second-factor route and Advanced Data Protection, and the routes it can take. */
  accountOptions(appleId: string): ICloudAccountOptions | undefined
  /** Changes them, as `POST /_emulator/icloud/account-options` does; resolves once durable. */
  setAccountOptions(
    appleId: string,
    change: {
      /** The route of the next sign-in. */
      twoFactor?: ICloudAccountOptions['twoFactor']
      /** Advanced Data Protection on or off. */
      advancedDataProtection?: boolean
    },
  ): Promise<ICloudAccountOptions>
  /** The account's web sessions, newest first. */
  sessions(appleId: string): InspectedSession[]
  /** Expires one web session by its id; false when no live session has it. Resolves once durable. */
  expireSession(id: string): Promise<boolean>
  /** A folder of the account's Drive (the root without `folderId`). */
  driveFolder(appleId: string, folderId?: string): InspectedDriveFolder | undefined
  /** A file of the account's Drive, to download. */
  driveFile(appleId: string, fileId: string): InspectedFile | undefined
  /** The account's Photos libraries: its own and the Shared Library, with albums. */
  photos(appleId: string, limit?: number): InspectedPhotoLibrary[]
  /** The tile of a Photos asset, from the library's own content. */
  photoTile(appleId: string, zone: string, assetId: string): InspectedFile | undefined
  /** The account's Find My devices where they are now. */
  findMy(appleId: string): InspectedDevice[]
}

/** Builds the inspector over a running emulator's context, store and Photos library. */
export function createICloudInspector(
  store: DurableStore,
  ctx: Omit<ICloudContext, 'tx' | 'cookieDomain'>,
  library: PhotosLibrary,
): ICloudInspector {
  const account = (appleId: string) => ctx.data.accounts.get(normalizeAppleId(appleId))
  return {
    accountOptions: (appleId) => {
      const a = account(appleId)
      return a && accountOptions(ctx.data, a)
    },
    setAccountOptions: (appleId, change) => setAccountOptions(store, ctx.data, appleId, change),
    sessions: (appleId) => listSessions(ctx.data, appleId, ctx.now()),
    expireSession: (id) => expireSession(store, ctx.data, id, ctx.now()),
    driveFolder: (appleId, folderId) => driveFolder(ctx.drive.state, appleId, folderId),
    driveFile: (appleId, fileId) => driveFile(ctx.drive.state, appleId, fileId),
    photos: (appleId, limit) => {
      const a = account(appleId)
      return a ? photoLibraries(library, a.dsid, limit) : []
    },
    photoTile: (appleId, zone, assetId) => {
      const a = account(appleId)
      return a && photoTile(library, a.dsid, zone, assetId)
    },
    findMy: (appleId) => {
      const a = account(appleId)
      return a ? findMyDevices(a, ctx.data.findmy.get(a.appleId), ctx.now()) : []
    },
  }
}

export type { ICloudAccountOptions, ICloudTwoFactorRoute } from './account-options.js'
export { ICLOUD_TWO_FACTOR_ROUTES } from './account-options.js'
export type { InspectedDriveFolder, InspectedDriveItem, InspectedFile } from './drive-view.js'
export type { InspectedDevice } from './findmy-view.js'
export type { InspectedAlbum, InspectedPhoto, InspectedPhotoLibrary } from './photos-view.js'
export type { InspectedSession } from './sessions.js'
