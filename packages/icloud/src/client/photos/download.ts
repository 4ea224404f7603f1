import { createHash } from 'node:crypto'
import { open, rename, stat, unlink, utimes } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { type CallOptions, type ProgressListener, tellProgress } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import type { ServiceCaller } from '../service-caller.js'
import type { PhotoDownloadResult, PhotoResource } from './types.js'

/** The partial file of a download: beside the target, named for the bytes it will hold. */
export function partialPath(path: string, resource: PhotoResource): string {
  const id = createHash('sha256')
    .update(`${resource.checksum ?? resource.downloadURL ?? ''}:${resource.size ?? ''}`)
    .digest('hex')
    .slice(0, 16)
  return join(dirname(path), `.${basename(path)}.${id}.sigwire-part`)
}

/**
 * Downloads `resource` to `path` (docs/protocols/icloud.md §16.7): the bytes stream to a partial file
 * beside the target (resumed with `Range: bytes=<n>-` when an earlier run left one, as icloudpd does),
 * are fsynced, checked against the announced size, given their mtime, and renamed over `path`; the
 * directory is fsynced so the rename survives a crash. Nothing but the partial file is ever on disk
 * under another name, and `path` itself is only ever complete.
 */
export async function downloadResource(
  caller: ServiceCaller,
  resource: PhotoResource,
  path: string,
  options: CallOptions & { onProgress?: ProgressListener; mtime?: Date; resume?: boolean; fsync?: boolean },
): Promise<PhotoDownloadResult> {
  if (!resource.downloadURL)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `The ${resource.kind} rendition of ${resource.filename} has no download URL.`,
    })
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudKit's file-name placeholder in download URLs.
  const url = resource.downloadURL.replace('${f}', encodeURIComponent(resource.filename))
  const part = partialPath(path, resource)
  let offset = options.resume === false ? 0 : ((await stat(part).catch(() => undefined))?.size ?? 0)
  if (resource.size !== undefined && offset > resource.size) offset = 0
  if (offset === 0) await unlink(part).catch(() => undefined)
  const hash = createHash('sha256')
  if (offset > 0) {
    // The resumed bytes enter the file's digest too.
    const handle = await open(part, 'r')
    try {
      for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer)
    } finally {
      await handle.close()
    }
  }
  const complete = resource.size !== undefined && offset === resource.size
  let response: Awaited<ReturnType<ServiceCaller['fetchStream']>> | undefined
  if (!complete) {
    response = await caller.fetchStream(url, offset > 0 ? { range: `bytes=${offset}-` } : {}, options)
    if (response.status === 410 || response.status === 403) {
      response.body.destroy()
      throw new ICloudError({
        code: 'URL_EXPIRED',
        status: response.status,
        message: `The download URL of ${resource.filename} expired; read the asset again.`,
      })
    }
    if (response.status === 416 && resource.size !== undefined && offset >= resource.size) {
      response.body.destroy()
      response = undefined
    } else if (response.status !== 200 && response.status !== 206) {
      response.body.destroy()
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        status: response.status,
        message: `Downloading ${resource.filename} failed with HTTP ${response.status}.`,
      })
    } else if (response.status === 200 && offset > 0) {
      // The server ignored the range: start again.
      offset = 0
      hash.destroy?.()
      return downloadResource(caller, resource, path, { ...options, resume: false })
    }
  }
  const total = resource.size
  let written = offset
  if (response) {
    const handle = await open(part, offset > 0 ? 'a' : 'w', 0o644)
    try {
      if (options.onProgress) tellProgress(options.onProgress, written, total, 'download')
      for await (const chunk of response.body) {
        const bytes = chunk as Buffer
        hash.update(bytes)
        await handle.write(bytes)
        written += bytes.byteLength
        if (options.onProgress) tellProgress(options.onProgress, written, total, 'download')
      }
      if (options.fsync !== false) await handle.sync()
    } catch (error) {
      response.body.destroy()
      throw fileError(error, path)
    } finally {
      await handle.close()
    }
  }
  if (total !== undefined && written !== total) {
    await unlink(part).catch(() => undefined)
    throw new ICloudError({
      code: 'DOWNLOAD_INCOMPLETE',
      message: `${resource.filename}: received ${written} bytes, Apple announced ${total}; the partial file was removed, download it again.`,
    })
  }
  try {
    if (options.mtime) await utimes(part, options.mtime, options.mtime)
    await rename(part, path)
    if (options.fsync !== false) {
      const dir = await open(dirname(path), 'r')
      try {
        await dir.sync()
      } finally {
        await dir.close()
      }
    }
  } catch (error) {
    throw fileError(error, path)
  }
  return { path, size: written, resumedFrom: offset, sha256: hash.digest('hex') }
}

function fileError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code
  if (code === 'ENOSPC')
    return new ICloudError({
      code: 'FILE_WRITE_FAILED',
      message: `The disk is full while writing ${path}; free space and run again (finished files are kept).`,
      cause: error,
    })
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENOENT')
    return new ICloudError({
      code: 'FILE_WRITE_FAILED',
      message: `Cannot write ${path} (${code}): check the target directory.`,
      cause: error,
    })
  return error
}
