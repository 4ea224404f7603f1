import { createHash } from 'node:crypto'
import { readdir, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import type { CallOptions } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import type { ContentSource } from '../content/content-chunks.js'
import { contentStream } from '../content/content-chunks.js'
import { downloadContentToFile } from '../content/download-to-file.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'
import { driveResponseError } from './errors.js'
import { CLOUD_DOCS_ZONE } from './ids.js'
import type { DownloadOptions, DownloadResult, DownloadToFileOptions, DriveItem } from './types.js'

/**
 * `GET {docws}/ws/{zone}/download/by_id?document_id=…` answers the signed content URL: `data_token`
 * for a plain file, `package_token` for a package (docs/protocols/icloud.md §15.4).
 */
export async function contentUrl(
  caller: ServiceCaller,
  item: DriveItem,
  options: CallOptions,
): Promise<string> {
  const zone = item.zone || CLOUD_DOCS_ZONE
  const response = await caller.respond('docws', 'GET', `/ws/${encodeURIComponent(zone)}/download/by_id`, {
    query: { document_id: item.docwsid },
    ...callOptions(options),
  })
  if (response.status >= 400) throw driveResponseError(response, `Downloading "${item.name}"`)
  const raw = response.json<Raw>()
  const url = raw?.data_token?.url ?? raw?.package_token?.url
  if (typeof url !== 'string')
    throw new ICloudError({
      code: 'INVALID_RESPONSE',
      message: `download/by_id for "${item.name}" answered neither a data_token nor a package_token URL.`,
    })
  return url
}

/** A file's bytes as a stream (see `DriveApi.download`). */
export async function downloadStream(
  caller: ServiceCaller,
  item: DriveItem,
  options: DownloadOptions,
): Promise<Readable> {
  return contentStream(caller, driveContent(caller, item, options), options)
}

/** Downloads a file to `path` atomically (see `DriveApi.downloadToFile`). */
export async function downloadToFile(
  caller: ServiceCaller,
  item: DriveItem,
  path: string,
  options: DownloadToFileOptions,
): Promise<DownloadResult> {
  const source = driveContent(caller, item, options)
  let partial: { path: string; resume: boolean } | undefined
  if (options.keepPartial === true) {
    // A kept partial belongs to one version of one item: its name carries a tag of the drivewsid and etag.
    const tag = createHash('sha256').update(`${item.drivewsid}\u0000${item.etag}`).digest('hex').slice(0, 12)
    partial = { path: join(dirname(path), `.${basename(path)}.${tag}.partial`), resume: true }
    await removeOtherPartials(dirname(path), basename(path), partial.path)
  }
  const result = await downloadContentToFile(caller, source, path, {
    ...options,
    partial,
    mtime: options.keepMtime !== false ? item.dateModified : undefined,
    syncFile: options.syncFile,
    syncDirectory: options.syncDirectory,
  })
  return { path, bytes: result.bytes, resumedFrom: result.resumedFrom, resumes: result.resumes }
}

/** A Drive file as a {@link ContentSource}: a fresh URL is a new `download/by_id`. */
function driveContent(caller: ServiceCaller, item: DriveItem, options: CallOptions): ContentSource {
  if (!item || item.isFolder || typeof item.docwsid !== 'string')
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `Only files can be downloaded; ${item?.name ? `"${item.name}"` : 'this item'} is a ${String(item?.type).toLowerCase()}. Walk a folder to download what is in it.`,
    })
  return {
    label: `"${item.name}"`,
    size: item.size,
    purpose: 'drive content',
    relist: 'list its folder again',
    url: () => contentUrl(caller, item, options),
    refused: (response) => driveResponseError(response, `Downloading "${item.name}"`),
  }
}

/** Partial files of other versions of the same target (a kept partial of an older etag). */
async function removeOtherPartials(dir: string, base: string, keep: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  const prefix = `.${base}.`
  for (const name of names)
    if (name.startsWith(prefix) && /^[0-9a-f]{12}\.partial$/.test(name.slice(prefix.length)))
      if (join(dir, name) !== keep) await unlink(join(dir, name)).catch(() => undefined)
}
