import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { CLOUD_DOCS_ZONE, TRASH_DRIVEWSID, TRASH_ROOT } from '../../client/drive/ids.js'
import { nameProblem } from '../../client/drive/names.js'
import type { ICloudContext } from '../context.js'
import { answer, requestJson } from '../http-util.js'
import { ROOT_REF } from './drive-state.js'
import { driveFailure } from './failure.js'
import { type DriveNodeRecord, refOf, TRASH_REF } from './records.js'
import { renderFolder, renderItem, renderTrash } from './render.js'

/** One entry of a change's `items` as the client sent it. */
interface ItemRequest {
  drivewsid?: unknown
  etag?: unknown
  name?: unknown
  clientId?: unknown
}

/** What one item of a change came to: the rendered item with `status: "OK"`, or a refusal status. */
type Outcome = Record<string, unknown>

/**
 * `drivews` (docs/protocols/icloud.md §15.2, §15.3): listings, and changes whose every item carries
 * its etag. A change answers 200 with a `status` per item: `OK`, `ETAG_CONFLICT` (with the current
 * etag), `ID_INVALID`, or the emulator's own `NAME_CONFLICT`, `INVALID_NAME`, `NOT_PERMITTED`,
 * `INVALID_DESTINATION`, `NOT_IN_TRASH` (DECISION, §15.8).
 */
export function handleDrivews(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  appleId: string,
): Reply {
  const drive = ctx.drive
  drive.ensure(ctx.tx, appleId, ctx.now())
  const state = drive.state
  const route = `${request.method} ${path.replace(/\/+$/, '')}`
  if (route === 'GET /retrieveAppLibraries' || route === 'POST /retrieveAppLibraries')
    return answer(200, {
      items: state
        .children(appleId, ROOT_REF)
        .filter((n) => n.type === 'APP_LIBRARY')
        .map((n) => renderItem(state, n)),
    })
  const body = requestJson<unknown>(request)
  if (body === undefined && request.method === 'POST')
    throw driveFailure(400, 'BAD_REQUEST', 'The body is not JSON.')
  switch (route) {
    case 'POST /retrieveItemDetailsInFolders':
      return answer(
        200,
        listOf(body).map((entry) => folderDetails(ctx, appleId, entry)),
      )
    case 'POST /retrieveItemDetails': {
      // rclone sends [{"items": [{drivewsid, ...}]}] and reads a list of items (api/drive.go).
      const entries = listOf(body).flatMap((group) => listOf((group as { items?: unknown })?.items))
      return answer(
        200,
        entries.map((entry) => {
          const id = (entry as ItemRequest)?.drivewsid
          const node = state.nodeById(appleId, id)
          return node ? renderItem(state, node) : { drivewsid: id, status: 'ID_INVALID' }
        }),
      )
    }
    case 'POST /createFolders':
      return createFolders(ctx, appleId, body)
    case 'POST /renameItems':
      return answer(200, { items: each(ctx, appleId, body, rename) })
    case 'POST /moveItems': {
      const destination = state.nodeById(
        appleId,
        (body as { destinationDrivewsId?: unknown })?.destinationDrivewsId,
      )
      return answer(200, {
        items: each(ctx, appleId, body, (node, item) => move(ctx, node, item, destination)),
      })
    }
    case 'POST /moveItemsToTrash':
      return answer(200, { items: each(ctx, appleId, body, trash) })
    case 'POST /putBackItemsFromTrash':
      return answer(200, { items: each(ctx, appleId, body, restore) })
    case 'POST /deleteItems':
      return answer(200, { items: each(ctx, appleId, body, deleteForever) })
    default:
      throw driveFailure(404, 'NOT_FOUND', `The emulator's drivews has no ${route}.`)
  }
}

function folderDetails(ctx: ICloudContext, appleId: string, entry: unknown): Record<string, unknown> {
  const id = (entry as { drivewsid?: unknown })?.drivewsid
  if (id === TRASH_DRIVEWSID || id === TRASH_ROOT) return renderTrash(ctx.drive.state, appleId)
  const node = ctx.drive.state.nodeById(appleId, id)
  if (!node) return { drivewsid: id, status: 'ID_INVALID' }
  return node.type === 'FILE' ? renderItem(ctx.drive.state, node) : renderFolder(ctx.drive.state, node)
}

function createFolders(ctx: ICloudContext, appleId: string, body: unknown): Reply {
  const state = ctx.drive.state
  const request = body as { destinationDrivewsId?: unknown; folders?: unknown }
  const parent = state.nodeById(appleId, request?.destinationDrivewsId)
  const folders = listOf(request?.folders).map((entry) => {
    const { name, clientId } = (entry ?? {}) as { name?: unknown; clientId?: unknown }
    const refused = (status: string) => ({ clientId, name, status })
    if (!parent || parent.type === 'FILE' || state.inTrash(parent)) return refused('ID_INVALID')
    if (typeof name !== 'string' || nameProblem(name)) return refused('INVALID_NAME')
    if (state.childNamed(appleId, refOf(parent), name)) return refused('NAME_CONFLICT')
    const now = ctx.now()
    // A folder made in an app library lives in the app's zone.
    const folder = state.newFolder(ctx.tx, appleId, refOf(parent), parent.zone, name, now)
    state.put(ctx.tx, folder)
    state.touch(ctx.tx, appleId, refOf(parent), now)
    return { ...renderItem(state, folder), clientId, status: 'OK' }
  })
  return answer(200, { destinationDrivewsId: request?.destinationDrivewsId, folders })
}

/** Runs `change` for each item of `body.items` that exists and whose etag is current. */
function each(
  ctx: ICloudContext,
  appleId: string,
  body: unknown,
  change: (node: DriveNodeRecord, item: ItemRequest, ctx: ICloudContext) => Outcome,
): Outcome[] {
  return listOf((body as { items?: unknown })?.items).map((entry) => {
    const item = (entry ?? {}) as ItemRequest
    const node = ctx.drive.state.nodeById(appleId, item.drivewsid)
    if (!node) return { drivewsid: item.drivewsid, status: 'ID_INVALID' }
    // The etag the client read must still be the item's: a change made meanwhile is not overwritten.
    if (item.etag !== node.etag)
      return { drivewsid: item.drivewsid, etag: node.etag, status: 'ETAG_CONFLICT' }
    return change(node, item, ctx)
  })
}

function ok(ctx: ICloudContext, node: DriveNodeRecord, extra: Record<string, unknown> = {}): Outcome {
  return { ...renderItem(ctx.drive.state, node), ...extra, status: 'OK' }
}

function refusedItem(node: DriveNodeRecord, status: string): Outcome {
  return { drivewsid: `${node.type === 'FILE' ? 'FILE' : 'FOLDER'}::${node.zone}::${node.docwsid}`, status }
}

function fixed(node: DriveNodeRecord): boolean {
  return node.parent === null || node.type === 'APP_LIBRARY'
}

function rename(node: DriveNodeRecord, item: ItemRequest, ctx: ICloudContext): Outcome {
  const state = ctx.drive.state
  if (fixed(node)) return refusedItem(node, 'NOT_PERMITTED')
  if (typeof item.name !== 'string' || nameProblem(item.name)) return refusedItem(node, 'INVALID_NAME')
  const sibling = node.parent === null ? undefined : state.childNamed(node.appleId, node.parent, item.name)
  if (sibling && refOf(sibling) !== refOf(node)) return refusedItem(node, 'NAME_CONFLICT')
  const now = ctx.now()
  const renamed = { ...node, name: item.name, etag: nextEtag(ctx, node), changed: now }
  state.put(ctx.tx, renamed)
  state.touch(ctx.tx, node.appleId, node.parent, now)
  return ok(ctx, renamed)
}

function move(
  ctx: ICloudContext,
  node: DriveNodeRecord,
  _item: ItemRequest,
  destination: DriveNodeRecord | undefined,
): Outcome {
  const state = ctx.drive.state
  if (fixed(node)) return refusedItem(node, 'NOT_PERMITTED')
  if (!destination || destination.type === 'FILE' || state.inTrash(destination))
    return refusedItem(node, 'INVALID_DESTINATION')
  if (state.isWithin(destination, node)) return refusedItem(node, 'INVALID_DESTINATION')
  const target = refOf(destination)
  const sibling = state.childNamed(node.appleId, target, node.name)
  if (sibling && refOf(sibling) !== refOf(node)) return refusedItem(node, 'NAME_CONFLICT')
  const now = ctx.now()
  const moved = { ...node, parent: target, etag: nextEtag(ctx, node), changed: now }
  state.put(ctx.tx, moved)
  state.touch(ctx.tx, node.appleId, node.parent, now)
  state.touch(ctx.tx, node.appleId, target, now)
  return ok(ctx, moved)
}

function trash(node: DriveNodeRecord, _item: ItemRequest, ctx: ICloudContext): Outcome {
  const state = ctx.drive.state
  if (fixed(node)) return refusedItem(node, 'NOT_PERMITTED')
  if (state.inTrash(node)) return refusedItem(node, 'ID_INVALID')
  const now = ctx.now()
  const trashed: DriveNodeRecord = {
    ...node,
    parent: TRASH_REF,
    etag: nextEtag(ctx, node),
    changed: now,
    trashed: { at: now, from: node.parent!, restorePath: state.pathOf(node) },
  }
  state.put(ctx.tx, trashed)
  state.touch(ctx.tx, node.appleId, node.parent, now)
  return ok(ctx, trashed)
}

function restore(node: DriveNodeRecord, _item: ItemRequest, ctx: ICloudContext): Outcome {
  const state = ctx.drive.state
  if (node.parent !== TRASH_REF || !node.trashed) return refusedItem(node, 'NOT_IN_TRASH')
  // Back where it was; if that folder is gone or in the trash too, into the root (DECISION, §15.8).
  const from = state.node(node.appleId, node.trashed.from)
  const parent = from && from.type !== 'FILE' && !state.inTrash(from) ? refOf(from) : rootOf(node)
  if (state.childNamed(node.appleId, parent, node.name)) return refusedItem(node, 'NAME_CONFLICT')
  const now = ctx.now()
  const { trashed: _gone, ...rest } = node
  const restored: DriveNodeRecord = { ...rest, parent, etag: nextEtag(ctx, node), changed: now }
  state.put(ctx.tx, restored)
  state.touch(ctx.tx, node.appleId, parent, now)
  return ok(ctx, restored)
}

function deleteForever(node: DriveNodeRecord, _item: ItemRequest, ctx: ICloudContext): Outcome {
  const state = ctx.drive.state
  if (fixed(node)) return refusedItem(node, 'NOT_PERMITTED')
  const rendered = renderItem(state, node)
  const doomed = [node]
  for (let i = 0; i < doomed.length; i++)
    if (doomed[i]!.type !== 'FILE') doomed.push(...state.children(node.appleId, refOf(doomed[i]!)))
  for (const gone of doomed) state.remove(ctx.tx, gone)
  state.touch(ctx.tx, node.appleId, node.parent, ctx.now())
  // Deleted items answer with `isDeleted` and the etag "null" (pyicloud const_drive.py).
  return { ...rendered, isDeleted: true, etag: 'null', status: 'OK' }
}

/** A file's etag is `<item>::<content>`: a rename or move changes the first part only. */
function nextEtag(ctx: ICloudContext, node: DriveNodeRecord): string {
  const next = ctx.drive.state.nextEtag(ctx.tx)
  if (node.type !== 'FILE') return next
  const content = node.etag.split('::')[1]
  return content === undefined ? next : `${next}::${content}`
}

function rootOf(node: DriveNodeRecord): string {
  return node.zone === CLOUD_DOCS_ZONE ? ROOT_REF : `${node.zone}::documents`
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
