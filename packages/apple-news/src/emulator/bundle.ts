import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type EmulatorError,
  jsonDepth,
  MAX_JSON_DEPTH,
  MultipartError,
  parseMultipart,
  type ReceivedPart,
} from '@sigwire/emulator-kit'
import { PART_LIMITS } from '../constants.js'
import { validateArticle } from '../format/validate-article.js'
import type { ValidationIssue } from '../format/validation-types.js'
import { errorReply } from './render.js'

/** A bundle received and validated (§3). Resource bytes are in files under the upload directory. */
export interface ReceivedBundle {
  document?: Record<string, unknown>
  metadata?: Record<string, unknown>
  resources: Array<{
    name: string
    filename: string
    contentType: string
    size: number
    sha256: string
    file: string
  }>
}

/** Switches of the bundle checks (docs/protocols/apple-news.md §1.3). */
export interface BundleRules {
  /** Require a filename on the metadata part too. Default false (Apple's examples omit it). */
  strictFilename: boolean
  /** Require `size=` on every part. Default false (optional, checked when present). */
  requirePartSize: boolean
  /** Size limits; default Apple's `PART_LIMITS`. */
  limits?: PartLimits
}

/** The size limits the emulator enforces, in bytes (Apple's are `PART_LIMITS`). */
export type PartLimits = { readonly [K in keyof typeof PART_LIMITS]: number }

/** Parses and checks a spooled multipart body; on failure removes what it wrote and returns Apple's error. */
export async function receiveBundle(
  file: string,
  contentType: string | undefined,
  uploadDir: string,
  rules: BundleRules,
): Promise<ReceivedBundle | EmulatorError> {
  const match = /^multipart\/form-data\s*;(.*)$/i.exec(contentType ?? '')
  if (!match)
    return errorReply(415, 'UNSUPPORTED_MEDIA_TYPE', { message: 'Articles are sent as multipart/form-data.' })
  const boundary = /(?:^|;)\s*boundary\s*=\s*("([^"]+)"|[^;\s]+)/i.exec(match[1]!)
  if (!boundary)
    return errorReply(400, 'INVALID_MIME_MULTIPART', { message: 'The Content-Type has no boundary.' })
  const written: string[] = []
  const cleanup = async () => {
    for (const f of written) await rm(f, { force: true })
  }
  let parts: ReceivedPart[]
  try {
    parts = await parseMultipart(
      createReadStream(file, { highWaterMark: 256 * 1024 }),
      boundary[2] ?? boundary[1]!,
      (_headers, disposition) => {
        // The document and metadata are small JSON kept in memory; everything else goes to disk.
        if (
          disposition.name === 'article.json' ||
          disposition.name === 'metadata' ||
          disposition.filename === 'article.json'
        )
          return { memory: 16 * 1024 * 1024 }
        const target = join(uploadDir, randomUUID())
        written.push(target)
        return { file: target }
      },
    )
  } catch (error) {
    await cleanup()
    if (error instanceof MultipartError)
      return errorReply(400, 'INVALID_MIME_MULTIPART', { message: error.message })
    throw error
  }
  const fail = async (error: EmulatorError) => {
    await cleanup()
    return error
  }

  const bundle: ReceivedBundle = { resources: [] }
  const limits = rules.limits ?? PART_LIMITS
  const filenames = new Set<string>()
  for (const part of parts) {
    const name = part.disposition.name ?? ''
    if (part.dispositionType !== 'form-data')
      return fail(
        errorReply(400, 'INVALID_MIME_MULTIPART', {
          message: 'Every part needs Content-Disposition: form-data.',
        }),
      )
    const filename = part.disposition.filename
    if (filename === undefined && (name !== 'metadata' || rules.strictFilename))
      return fail(errorReply(400, 'MIME_PART_MISSING_FILENAME', { keyPath: [name] }))
    const size = part.disposition.size
    if (size === undefined && rules.requirePartSize)
      return fail(errorReply(400, 'MIME_PART_MISSING_SIZE', { keyPath: [name] }))
    if (size !== undefined && !/^\d+$/.test(size))
      return fail(errorReply(400, 'MIME_PART_INVALID_SIZE', { keyPath: [name], value: size }))
    if (size !== undefined && Number(size) !== part.size)
      return fail(
        errorReply(400, 'MIME_PART_INCORRECT_SIZE', {
          keyPath: [name],
          value: size,
          message: `The part has ${part.size} bytes.`,
        }),
      )
    const type = (part.headers['content-type'] ?? 'application/octet-stream')
      .split(';')[0]!
      .trim()
      .toLowerCase()

    if (name === 'article.json' || filename === 'article.json') {
      const parsed = parseJson(part.bytes)
      if (!isObject(parsed)) return fail(errorReply(400, 'INVALID_JSON', { keyPath: ['article.json'] }))
      bundle.document = parsed
    } else if (name === 'metadata') {
      const parsed = parseJson(part.bytes)
      if (!isObject(parsed) || !isObject(parsed.data))
        return fail(
          errorReply(400, 'INVALID_JSON', {
            keyPath: ['metadata'],
            message: 'Metadata is wrapped as {"data": {...}}.',
          }),
        )
      bundle.metadata = parsed.data
    } else {
      if (part.file === undefined || filename === undefined)
        return fail(errorReply(400, 'INVALID_MIME_MULTIPART', { keyPath: [name] }))
      if (filenames.has(filename))
        return fail(
          errorReply(400, 'INVALID_MIME_MULTIPART', {
            keyPath: [name],
            message: `Two parts are named ${filename}.`,
          }),
        )
      filenames.add(filename)
      bundle.resources.push({
        name,
        filename,
        contentType: type,
        size: part.size,
        sha256: await sha256File(part.file),
        file: part.file,
      })
    }
  }
  // The document, the files and the metadata go through the validator the client runs before
  // sending (src/format): one set of rules, so the two agree (docs/protocols/apple-news.md §8).
  const validation = validateArticle(bundle.document, {
    resources: bundle.resources,
    ...(bundle.metadata ? { metadata: bundle.metadata } : {}),
    limits,
  })
  const first = validation.errors[0]
  if (first) return fail(issueReply(first))
  return bundle
}

/** Apple's error answer for a validation issue. */
export function issueReply(issue: ValidationIssue): EmulatorError {
  return errorReply(issue.status, issue.code, {
    ...(issue.keyPath.length > 0 ? { keyPath: [...issue.keyPath] } : {}),
    ...(issue.value === undefined ? {} : { value: issue.value }),
    ...(issue.message === undefined ? {} : { message: issue.message }),
  })
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function parseJson(bytes: Buffer | undefined): unknown {
  if (bytes === undefined) return undefined
  const text = bytes.toString('utf8')
  // Deeper documents are refused as a Java service's parser refuses them (and would overflow a walk).
  if (jsonDepth(text) > MAX_JSON_DEPTH) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
