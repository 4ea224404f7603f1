import { randomBytes } from 'node:crypto'
import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { nameProblem } from '../../client/drive/names.js'
import type { ICloudContext } from '../context.js'
import { answer, requestCookies, requestJson } from '../http-util.js'
import { itemId, randomUuid } from './drive-state.js'
import { driveFailure } from './failure.js'
import { type DriveNodeRecord, refOf } from './records.js'

/** How long an upload URL of `upload/web` stays valid. */
const UPLOAD_LIFETIME_MS = 60 * 60_000

/**
 * `docws` (docs/protocols/icloud.md §15.4, §15.5): `download/by_id` hands out a signed content URL,
 * `upload/web` an upload URL bound to a document ID and a size, and `update/documents` turns the
 * uploaded bytes into an item. The zone is the path's second segment (`/ws/<zone>/...`).
 */
export function handleDocws(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  appleId: string,
): Reply {
  ctx.drive.ensure(ctx.tx, appleId, ctx.now())
  const match = /^\/ws\/([^/]+)\/(download\/by_id|upload\/web|update\/documents)\/?$/.exec(path)
  if (!match) throw driveFailure(404, 'NOT_FOUND', `The emulator's docws has no ${request.method} ${path}.`)
  // The route's parameters arrive percent-decoded already.
  const zone = match[1]!
  const action = `${request.method} ${match[2]}`
  if (action === 'GET download/by_id') return downloadById(ctx, request, appleId, zone)
  if (action === 'POST upload/web') return uploadWeb(ctx, request, appleId, zone)
  if (action === 'POST update/documents') return updateDocuments(ctx, request, appleId, zone)
  throw driveFailure(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${match[2]}.`)
}

function downloadById(ctx: ICloudContext, request: EmulatorRequest, appleId: string, zone: string): Reply {
  const id = request.url.searchParams.get('document_id') ?? ''
  const node = ctx.drive.state.node(appleId, `${zone}::${id}`)
  if (node?.type !== 'FILE' || !node.blob)
    throw driveFailure(404, 'NOT_FOUND', `No document ${id} in ${zone}.`)
  // iCloud answers 400 for an empty file (pyicloud drive.py DriveNode.open, §15.4).
  if (node.size === 0) throw driveFailure(400, 'BAD_REQUEST', 'The document has no content.')
  const expires = Math.floor((ctx.now() + ctx.drive.urlLifetimeMs) / 1000)
  const signature = ctx.drive.sign(node.blob, expires)
  const url = `${ctx.origin}/drive-content/B/${node.blob}/${encodeURIComponent(node.name)}?e=${expires}&a=${signature}`
  const [, content] = node.etag.split('::')
  return answer(200, {
    document_id: node.docwsid,
    item_id: node.itemId,
    owner_dsid: Number(ctx.data.accounts.get(appleId)?.dsid ?? 0),
    data_token: {
      url,
      token: signature,
      signature: content ?? node.etag,
      wrapping_key: randomBytes(16).toString('base64'),
      reference_signature: node.blob,
    },
    double_etag: node.etag,
  })
}

function uploadWeb(ctx: ICloudContext, request: EmulatorRequest, appleId: string, zone: string): Reply {
  const body = requestJson<{ filename?: unknown; type?: unknown; size?: unknown }>(request)
  if (!body) throw driveFailure(400, 'BAD_REQUEST', 'The body is not JSON.')
  const filename = body.filename
  if (typeof filename !== 'string' || nameProblem(filename))
    throw driveFailure(
      400,
      'INVALID_NAME',
      `The file name is not allowed (${nameProblem(String(filename))}).`,
    )
  // pyicloud sends the size as a number, rclone as a string (§15.5).
  const size = typeof body.size === 'string' && /^\d{1,15}$/.test(body.size) ? Number(body.size) : body.size
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw driveFailure(400, 'BAD_REQUEST', 'size must be the file size in bytes.')
  // When the client passes the VALIDATE cookie's token (pyicloud does, rclone does not), it must match.
  const token = request.url.searchParams.get('token')
  if (token !== null) {
    const validate = requestCookies(request).get('X-APPLE-WEBAUTH-VALIDATE') ?? ''
    const expected = /\bt=([^:"~]+)/.exec(validate)?.[1]
    if (expected === undefined || token.replace(/["~]/g, '') !== expected)
      throw driveFailure(401, 'INVALID_TOKEN', 'The token parameter is not the session validation token.', {
        auth: true,
      })
  }
  if (size > ctx.drive.available(appleId))
    throw driveFailure(413, 'QUOTA_EXCEEDED', 'Not enough iCloud storage for this file.')
  const uploadToken = randomBytes(24).toString('base64url')
  const documentId = randomUuid()
  ctx.drive.state.putUpload(ctx.tx, uploadToken, {
    appleId,
    zone,
    documentId,
    filename,
    size,
    expiresAt: ctx.now() + UPLOAD_LIFETIME_MS,
  })
  const dsid = ctx.data.accounts.get(appleId)?.dsid
  return answer(200, [
    { document_id: documentId, url: `${ctx.origin}/drive-content/upload/${uploadToken}`, owner: dsid },
  ])
}

interface UpdateBody {
  data?: { signature?: unknown; size?: unknown; receipt?: unknown; wrapping_key?: unknown }
  command?: unknown
  document_id?: unknown
  path?: { starting_document_id?: unknown; path?: unknown }
  allow_conflict?: unknown
  mtime?: unknown
  btime?: unknown
}

function updateDocuments(ctx: ICloudContext, request: EmulatorRequest, appleId: string, zone: string): Reply {
  const state = ctx.drive.state
  const body = requestJson<UpdateBody>(request)
  if (body?.command !== 'add_file')
    throw driveFailure(400, 'BAD_REQUEST', 'Only command "add_file" with a JSON body is supported.')
  const found = [...state.uploads.entries()].find(
    ([, u]) => u.appleId === appleId && u.documentId === body.document_id,
  )
  const upload = found?.[1]
  if (!found || !upload?.received)
    throw driveFailure(404, 'NOT_FOUND', 'No uploaded content for this document_id: upload the bytes first.')
  const received = upload.received
  const size = typeof body.data?.size === 'string' ? Number(body.data.size) : body.data?.size
  if (body.data?.signature !== received.fileChecksum || size !== received.size)
    throw driveFailure(
      400,
      'BAD_REQUEST',
      'data.signature and data.size must be those the upload URL answered.',
    )
  if (received.size > 0 && body.data?.receipt !== received.receipt)
    throw driveFailure(400, 'BAD_REQUEST', 'data.receipt must be the receipt the upload URL answered.')
  if (upload.zone !== zone)
    throw driveFailure(412, 'VALIDATING_REFERENCE_ERROR', 'The document was announced in another zone.')
  const start = String(body.path?.starting_document_id ?? '')
  const parent = state.node(appleId, `${zone}::${start}`)
  // An upload must go into the zone of its folder, else 412 (rclone aba403fa7, §8.6).
  if (!parent || parent.type === 'FILE' || state.inTrash(parent))
    throw driveFailure(412, 'VALIDATING_REFERENCE_ERROR', `No folder ${start} in ${zone}.`)
  const wanted = body.path?.path
  if (typeof wanted !== 'string' || nameProblem(wanted))
    throw driveFailure(
      400,
      'INVALID_NAME',
      `The path is not an allowed name (${nameProblem(String(wanted))}).`,
    )
  let name = wanted
  if (state.childNamed(appleId, refOf(parent), name)) {
    if (body.allow_conflict !== true)
      throw driveFailure(409, 'NAME_CONFLICT', `"${name}" already exists in that folder.`)
    name = freeName(ctx, appleId, refOf(parent), wanted)
  }
  if (received.size > ctx.drive.available(appleId))
    throw driveFailure(413, 'QUOTA_EXCEEDED', 'Not enough iCloud storage for this file.')
  const now = ctx.now()
  const mtime = numberOr(body.mtime, now)
  const node: DriveNodeRecord = {
    appleId,
    zone,
    docwsid: upload.documentId,
    type: 'FILE',
    name,
    parent: refOf(parent),
    etag: `${state.nextEtag(ctx.tx)}::${state.nextEtag(ctx.tx)}`,
    created: numberOr(body.btime, now),
    changed: now,
    itemId: itemId(),
    size: received.size,
    blob: received.blob,
    mtime,
    btime: numberOr(body.btime, mtime),
  }
  state.put(ctx.tx, node)
  state.removeUpload(ctx.tx, found[0])
  state.touch(ctx.tx, appleId, refOf(parent), now)
  const status = { status_code: 0, error_message: '' }
  // The shape of rclone's DocumentUpdateResponse (api/drive.go).
  return answer(200, {
    status,
    results: [
      {
        status,
        operation_id: null,
        document: {
          status,
          document_id: node.docwsid,
          item_id: node.itemId,
          urls: {},
          etag: node.etag,
          parent_id: parent.docwsid,
          name: node.name,
          type: 'FILE',
          deleted: false,
          mtime: node.mtime,
          btime: node.btime,
          size: node.size,
          zone,
          last_editor_name: '',
          file_flags: { is_executable: false, is_writable: true, is_hidden: false },
          data: {
            signature: received.fileChecksum,
            owner: ctx.data.accounts.get(appleId)?.dsid,
            size: received.size,
            reference_signature: received.referenceChecksum,
            wrapping_key: received.wrappingKey,
          },
        },
      },
    ],
  })
}

/** `report 2.pdf`, `report 3.pdf`...: the name an upload gets when `allow_conflict` meets a taken name. */
function freeName(ctx: ICloudContext, appleId: string, folder: string, name: string): string {
  const dot = name.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  for (let n = 2; ; n++) {
    const candidate = `${stem} ${n}${ext}`
    if (!ctx.drive.state.childNamed(appleId, folder, candidate)) return candidate
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback
}
