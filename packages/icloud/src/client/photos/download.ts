import { hash } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { ICloudError } from '../../errors.js'
import type { ContentSource } from '../content/content-chunks.js'
import { downloadContentToFile } from '../content/download-to-file.js'
import type { ServiceCaller } from '../service-caller.js'
import type { PhotoDownloadOptions, PhotoDownloadResult, PhotoResource } from './types.js'

/** The partial file of a download: beside the target, named for the bytes it will hold. */
export function partialPath(path: string, resource: PhotoResource): string {
  // One-shot `hash` (no Hash object): it runs once per downloaded file.
  const id = hash(
    'sha256',
    `${resource.checksum ?? resource.downloadURL ?? ''}:${resource.size ?? ''}`,
    'hex',
  ).slice(0, 16)
  return join(dirname(path), `.${basename(path)}.${id}.sigwire-part`)
}

/**
 * Downloads `resource` to `path` (docs/protocols/icloud.md §16.7) with the downloader Drive uses: the
 * bytes go to a partial file beside the target (resumed with `Range: bytes=<n>-` when an earlier run
 * left one, as icloudpd does), are fsynced, given their mtime and renamed over `path`. An expired
 * download URL is replaced once by the one `refresh` reads from the asset again.
 */
export async function downloadResource(
  caller: ServiceCaller,
  resource: PhotoResource,
  path: string,
  options: PhotoDownloadOptions,
  refresh: () => Promise<PhotoResource>,
): Promise<PhotoDownloadResult> {
  const source: ContentSource = {
    label: resource.filename,
    size: resource.size,
    purpose: 'photos-download',
    relist: 'read the asset again',
    url: async (fresh) => downloadUrl(fresh ? await refresh() : resource),
    refused: (response) =>
      response.status === 410 || response.status === 403
        ? new ICloudError({
            code: 'URL_EXPIRED',
            status: response.status,
            message: `The download URL of ${resource.filename} expired; read the asset again.`,
          })
        : new ICloudError({
            code: 'SERVICE_ERROR',
            status: response.status,
            message: `Downloading ${resource.filename} failed with HTTP ${response.status}.`,
          }),
  }
  downloadUrl(resource)
  const result = await downloadContentToFile(caller, source, path, {
    ...options,
    partial: { path: partialPath(path, resource), resume: options.resume !== false },
    syncFile: options.syncFile !== false,
    syncDirectory: options.syncDirectory !== false,
    sha256: true,
  })
  return { path, size: result.bytes, resumedFrom: result.resumedFrom, sha256: result.sha256 ?? '' }
}

/** The rendition's download URL with CloudKit's file-name placeholder filled in. */
function downloadUrl(resource: PhotoResource): string {
  if (!resource.downloadURL)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: `The ${resource.kind} rendition of ${resource.filename} has no download URL.`,
    })
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudKit's file-name placeholder in download URLs.
  return resource.downloadURL.replace('${f}', encodeURIComponent(resource.filename))
}
