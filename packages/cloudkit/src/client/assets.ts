import type { Readable } from 'node:stream'
import type { CallOptions } from '@sigwire/core'
import {
  bytesBody,
  fileBody,
  type OwnedBody,
  type ProgressOptions,
  utf8Decode,
  writeFileAtomic,
} from '@sigwire/core'
import { LIMITS } from '../constants.js'
import { CloudKitError, cloudKitError } from '../errors.js'
import type { CloudKitDatabaseName } from './address.js'
import type { Connection } from './connection.js'
import { type Asset, type AssetReceipt, type FieldValue, field, type ZoneID } from './fields.js'
import { invalid } from './query.js'
import { errorFromResponse } from './response-errors.js'

/** Which record field an upload is for (DOC `UploadAssets`, Asset Field Dictionary). */
export interface AssetTarget {
  /** The record the asset will belong to; CloudKit picks a name when omitted. */
  recordName?: string
  /** The type of that record. */
  recordType: string
  /** The record's `ASSETID` field the file is for. */
  fieldName: string
}

/** Where to upload one asset's bytes (valid for 15 minutes; DOC `UploadAssets`). */
export interface AssetUploadUrl {
  /** The record the upload is for (CloudKit's pick when the target named none). */
  readonly recordName: string
  /** The asset field the upload is for. */
  readonly fieldName: string
  /** Where to POST the bytes: another host (such as `cvws.icloud-content.com`), sent unsigned (§1). */
  readonly url: string
}

/** Input of {@link AssetsApi.upload}. */
export interface AssetUploadInput extends AssetTarget {
  /** The bytes: a file path (streamed in constant memory), an owned body, or bytes. */
  body: string | OwnedBody | Uint8Array
  /** The zone of the record; the default zone when absent. */
  zoneID?: ZoneID
}

/** What {@link AssetsApi.upload} returns: the receipt, ready to put into the record's field. */
export interface UploadedAsset {
  /** The record the asset is for: write the field on this record. */
  readonly recordName: string
  /** The asset field to set. */
  readonly fieldName: string
  /** What the upload host answered (`singleFile`): the proof `records/modify` exchanges for the asset. */
  readonly receipt: AssetReceipt
  /** `field.asset(receipt)`: set it as the field's value in `records.modify` (step 3). */
  readonly field: FieldValue
}

/**
 * Assets of one database: the three-step upload (request an upload URL, send the bytes to it, attach
 * the receipt to a record) and download by `downloadURL` (DOC `UploadAssets`; §4.2).
 */
export interface AssetsApi {
  /** Step 1: one upload URL per asset field. */
  requestUploadUrls(
    targets: readonly AssetTarget[],
    options?: CallOptions & { zoneID?: ZoneID },
  ): Promise<AssetUploadUrl[]>
  /**
   * Step 2: sends the bytes to an upload URL (not signed: the URL is the authorization) and returns
   * the receipt. A file body is streamed in constant memory and refused if it changes meanwhile.
   * `onProgress` counts the bytes as they are handed to the socket, from `(0, size)` to
   * `(size, size)`; a retry starts again from 0.
   */
  uploadBytes(
    url: string,
    body: OwnedBody | Uint8Array,
    options?: CallOptions & ProgressOptions,
  ): Promise<AssetReceipt>
  /**
   * Steps 1 and 2 for one asset; put the returned `field` into the record (step 3, `records.modify`).
   * `onProgress` reports step 2, the bytes (see {@link AssetsApi.uploadBytes}).
   */
  upload(input: AssetUploadInput, options?: CallOptions & ProgressOptions): Promise<UploadedAsset>
  /**
   * Downloads an asset as a stream (read it, or destroy it). `fileName` replaces the `${f}` placeholder
   * CloudKit download URLs carry. `onProgress` counts the bytes as the stream hands them to you, up to
   * the response's `Content-Length` (`total` is undefined when there is none).
   */
  download(
    asset: Asset | string,
    options?: CallOptions & ProgressOptions & { fileName?: string },
  ): Promise<Readable>
  /**
   * Downloads an asset into a file in constant memory; returns the number of bytes written. The file
   * appears (mode 0600) only once complete: a failed or aborted download leaves `path` as it was.
   * `onProgress` as for {@link AssetsApi.download}.
   */
  downloadToFile(
    asset: Asset | string,
    path: string,
    options?: CallOptions & ProgressOptions & { fileName?: string },
  ): Promise<number>
}

/** The {@link AssetsApi} of one database. */
export class Assets implements AssetsApi {
  readonly #connection: Connection
  readonly #database: CloudKitDatabaseName

  constructor(connection: Connection, database: CloudKitDatabaseName) {
    this.#connection = connection
    this.#database = database
  }

  async requestUploadUrls(
    targets: readonly AssetTarget[],
    options: CallOptions & { zoneID?: ZoneID } = {},
  ): Promise<AssetUploadUrl[]> {
    if (targets.length === 0) return []
    if (targets.length > LIMITS.tokensPerRequest)
      throw invalid(
        `assets/upload takes at most ${LIMITS.tokensPerRequest} tokens per call, not ${targets.length}.`,
      )
    for (const [i, t] of targets.entries())
      if (!t.recordType || !t.fieldName) throw invalid(`tokens[${i}] needs recordType and fieldName.`)
    const response = await this.#connection.call<{ tokens?: AssetUploadUrl[] }>(
      {
        database: this.#database,
        operation: 'assets/upload',
        method: 'POST',
        body: { ...(options.zoneID ? { zoneID: options.zoneID } : {}), tokens: targets },
      },
      options,
    )
    return response.tokens ?? []
  }

  async uploadBytes(
    url: string,
    body: OwnedBody | Uint8Array,
    options: CallOptions & ProgressOptions = {},
  ): Promise<AssetReceipt> {
    const owned = body instanceof Uint8Array ? bytesBody(body) : body
    if (owned.byteLength > LIMITS.assetBytes)
      throw invalid(
        `An asset may be at most ${LIMITS.assetBytes} bytes (50 MB per asset field); this one is ${owned.byteLength}.`,
      )
    const response = await this.#connection.unsigned('POST', url, owned, options)
    if (response.status < 200 || response.status >= 300)
      throw errorFromResponse(response, this.#connection.unsignedContext)
    let parsed: { singleFile?: AssetReceipt }
    try {
      parsed = JSON.parse(utf8Decode(response.body)) as { singleFile?: AssetReceipt }
    } catch {
      parsed = {}
    }
    if (!parsed.singleFile?.receipt)
      throw new CloudKitError({
        code: 'INVALID_RESPONSE',
        status: response.status,
        message: 'The asset upload answered without a singleFile receipt.',
      })
    return parsed.singleFile
  }

  async upload(input: AssetUploadInput, options: CallOptions & ProgressOptions = {}): Promise<UploadedAsset> {
    const { onProgress, ...callOptions } = options
    const body = typeof input.body === 'string' ? await fileBody(input.body).catch(rethrow) : input.body
    const [url] = await this.requestUploadUrls(
      [
        {
          ...(input.recordName === undefined ? {} : { recordName: input.recordName }),
          recordType: input.recordType,
          fieldName: input.fieldName,
        },
      ],
      { ...callOptions, ...(input.zoneID ? { zoneID: input.zoneID } : {}) },
    )
    if (!url)
      throw new CloudKitError({
        code: 'INVALID_RESPONSE',
        message: 'assets/upload returned no upload URL.',
      })
    const receipt = await this.uploadBytes(url.url, body, options)
    return { recordName: url.recordName, fieldName: url.fieldName, receipt, field: field.asset(receipt) }
  }

  async download(
    asset: Asset | string,
    options: CallOptions & ProgressOptions & { fileName?: string } = {},
  ): Promise<Readable> {
    const url = downloadUrl(asset, options.fileName)
    const response = await this.#connection.unsigned('GET', url, undefined, { ...options, stream: true })
    if (response.status < 200 || response.status >= 300) {
      const chunks: Buffer[] = []
      try {
        for await (const chunk of response.body) chunks.push(chunk as Buffer)
      } catch (error) {
        rethrow(error)
      }
      throw errorFromResponse({ ...response, body: Buffer.concat(chunks) }, this.#connection.unsignedContext)
    }
    return response.body
  }

  async downloadToFile(
    asset: Asset | string,
    path: string,
    options: CallOptions & ProgressOptions & { fileName?: string } = {},
  ): Promise<number> {
    const stream = await this.download(asset, options)
    return writeFileAtomic(path, stream, { signal: this.#connection.signalOf(options) }).catch(rethrow)
  }
}

function rethrow(error: unknown): never {
  throw cloudKitError(error)
}

function downloadUrl(asset: Asset | string, fileName = 'asset'): string {
  const url = typeof asset === 'string' ? asset : asset.downloadURL
  if (!url)
    throw invalid('This asset has no downloadURL (look the record up with the asset field in desiredKeys).')
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudKit's literal file-name placeholder.
  return url.replace('${f}', encodeURIComponent(fileName))
}
