import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { type CallOptions, concatBodies, fileBody, jsonBody, type OwnedBody, utf8Encode } from '@sigwire/core'
import { ICloudError, toICloudError } from '../../errors.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import { contentTypeOf } from './content-type.js'
import { driveResponseError, invalidName } from './errors.js'
import { CLOUD_DOCS_ZONE, drivewsidOf } from './ids.js'
import { nameProblem } from './names.js'
import type { DriveFolder, DriveItem, UploadOptions } from './types.js'

/** The cookie whose `t=` value `upload/web` takes as its `token` parameter (pyicloud drive.py, §15.5). */
const VALIDATE_COOKIE = 'X-APPLE-WEBAUTH-VALIDATE'

/** What the content host answers for the bytes (`singleFile`). */
interface SingleFile {
  fileChecksum: string
  wrappingKey: string
  referenceChecksum: string
  size: number
  receipt?: string
}

/**
 * Uploads `file` into `folder` (docs/protocols/icloud.md §15.5): `upload/web` announces the file and
 * answers a document ID and an upload URL; the bytes go to that URL as multipart/form-data, streamed
 * from the file; `update/documents` then creates the item with the receipt, the name and the mtime.
 * A new version (`replace`) first puts the old one in the trash with its etag (rclone's way of
 * replacing a file), after the bytes are uploaded and before the new item is made.
 */
export async function uploadFile(
  caller: ServiceCaller,
  folder: DriveFolder,
  file: string,
  options: UploadOptions,
  trash: (item: DriveItem) => Promise<DriveItem>,
): Promise<DriveItem> {
  const name = options.name ?? basename(file)
  const problem = nameProblem(name)
  if (problem) throw invalidName(name, problem)
  const body = await fileBody(file).catch((error: unknown) => {
    throw toICloudError(error)
  })
  const info = await stat(file)
  const taken = folder.items.find((i) => i.name === name)
  if (taken && taken.drivewsid !== options.replace?.drivewsid)
    throw new ICloudError({
      code: 'CONFLICT',
      message: `"${name}" already exists in ${folder.name ? `"${folder.name}"` : 'the root'}: pass the existing item as replace to upload a new version, or pick another name.`,
      details: { drivewsid: taken.drivewsid },
    })
  if (taken?.isFolder)
    throw new ICloudError({
      code: 'CONFLICT',
      message: `"${name}" is a folder in ${folder.name ? `"${folder.name}"` : 'the root'}; a file cannot replace it.`,
    })
  const zone = folder.zone || CLOUD_DOCS_ZONE
  const call = callOptions(options)
  const target = await announce(caller, zone, name, body.byteLength, call)
  const receipt = await sendBytes(caller, target.url, name, body, options)
  if (options.replace) await trash(options.replace)
  const mtime = Math.floor((options.mtime ?? info.mtime).getTime())
  const btime = Math.floor(info.birthtimeMs > 0 ? info.birthtimeMs : mtime)
  try {
    return await createDocument(caller, zone, folder, target.documentId, name, receipt, mtime, btime, call)
  } catch (error) {
    if (options.replace && error instanceof ICloudError)
      throw new ICloudError({
        code: error.code,
        message: `${error.message} The previous version of "${name}" is in the trash; restore it from there if needed.`,
        ...(error.status === undefined ? {} : { status: error.status }),
        cause: error,
      })
    throw error
  }
}

/** `POST {docws}/ws/{zone}/upload/web`: a document ID and the URL for the bytes. */
async function announce(
  caller: ServiceCaller,
  zone: string,
  name: string,
  size: number,
  options: CallOptions,
): Promise<{ documentId: string; url: string }> {
  const validate = await caller.cookie('docws', VALIDATE_COOKIE)
  const token = validate ? /\bt=([^:"~]+)/.exec(validate)?.[1] : undefined
  const response = await caller.respond('docws', 'POST', `/ws/${encodeURIComponent(zone)}/upload/web`, {
    ...(token ? { query: { token } } : {}),
    body: jsonBody({ filename: name, type: 'FILE', content_type: contentTypeOf(name), size }),
    contentType: 'text/plain',
    ...options,
  })
  if (response.status >= 400) throw driveResponseError(response, `Uploading "${name}"`)
  const first = response.json<Raw>()?.[0]
  if (typeof first?.document_id !== 'string' || typeof first.url !== 'string')
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: 'upload/web answered without a document_id and an upload url.',
    })
  return { documentId: first.document_id, url: first.url }
}

/** The bytes, as a multipart/form-data file part streamed from disk; answers the `singleFile` receipt. */
async function sendBytes(
  caller: ServiceCaller,
  url: string,
  name: string,
  file: OwnedBody,
  options: UploadOptions,
): Promise<SingleFile> {
  const boundary = `sigwire-${randomBytes(16).toString('hex')}`
  // Quotes and line breaks in the file name are percent-escaped, as browsers do (WHATWG HTML
  // "multipart/form-data encoding algorithm").
  const filename = name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  const head = utf8Encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${filename}"\r\nContent-Type: ${contentTypeOf(name)}\r\n\r\n`,
  )
  const body = concatBodies([head, file, utf8Encode(`\r\n--${boundary}--\r\n`)])
  const listener = options.onProgress
  // The listener hears about the file's bytes, not the multipart envelope around them.
  const onProgress =
    listener &&
    ((sent: number) =>
      listener(Math.min(file.byteLength, Math.max(0, sent - head.byteLength)), file.byteLength))
  const response = await caller.content({
    method: 'POST',
    url,
    purpose: 'drive upload',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    cookies: true,
    // Sending the same bytes to the same upload URL again only yields the same receipt again.
    retrySafe: true,
    ...(onProgress ? { onUploadProgress: onProgress } : {}),
    ...callOptions(options),
  })
  if (response.status < 200 || response.status >= 300)
    throw driveResponseError(response, `Uploading the bytes of "${name}"`)
  const single = response.json<Raw>()?.singleFile
  if (typeof single?.fileChecksum !== 'string')
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: 'The upload URL answered without a singleFile receipt.',
    })
  return single as SingleFile
}

/** `POST {docws}/ws/{zone}/update/documents`: the item, made from the uploaded bytes. */
async function createDocument(
  caller: ServiceCaller,
  zone: string,
  folder: DriveFolder,
  documentId: string,
  name: string,
  receipt: SingleFile,
  mtime: number,
  btime: number,
  options: CallOptions,
): Promise<DriveItem> {
  const response = await caller.respond('docws', 'POST', `/ws/${encodeURIComponent(zone)}/update/documents`, {
    body: jsonBody({
      data: {
        signature: receipt.fileChecksum,
        wrapping_key: receipt.wrappingKey,
        reference_signature: receipt.referenceChecksum,
        size: receipt.size,
        // Absent for empty files (pyicloud drive.py _update_contentws).
        ...(receipt.receipt ? { receipt: receipt.receipt } : {}),
      },
      command: 'add_file',
      create_short_guid: true,
      document_id: documentId,
      path: { starting_document_id: folder.docwsid, path: name },
      // Never overwrites: a name taken meanwhile gets a numbered name instead (§15.5).
      allow_conflict: true,
      file_flags: { is_writable: true, is_executable: false, is_hidden: false },
      mtime,
      btime,
    }),
    contentType: 'text/plain',
    ...options,
  })
  if (response.status >= 400) throw driveResponseError(response, `Creating "${name}"`)
  const result = response.json<Raw>()?.results?.[0]
  const code = result?.status?.status_code
  if (code !== undefined && code !== 0 && code !== 200)
    throw new ICloudError({
      code: 'SERVICE_ERROR',
      serviceCode: String(code),
      message: `update/documents refused "${name}": ${String(result.status.error_message ?? code)}.`,
    })
  const doc = result?.document
  if (typeof doc?.document_id !== 'string')
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: 'update/documents answered without the document.',
    })
  const modified = new Date(Number(doc.mtime ?? mtime))
  return {
    drivewsid: drivewsidOf('FILE', zone, doc.document_id),
    docwsid: doc.document_id,
    zone,
    type: 'FILE',
    name: typeof doc.name === 'string' ? doc.name : name,
    etag: String(doc.etag ?? ''),
    parentId: folder.drivewsid,
    size: Number(doc.size ?? receipt.size),
    dateModified: modified,
    dateCreated: new Date(Number(doc.btime ?? btime)),
    dateChanged: modified,
    restorePath: undefined,
    dateExpiration: undefined,
    directChildrenCount: undefined,
    isFolder: false,
  }
}
