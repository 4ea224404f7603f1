import { safeCreativeError } from '../errors.js'
import type { ParamPair } from '../signing/params.js'

/** A link attached to a work (`linkN` = `url|name|TYPE`, §4). */
export interface WorkLink {
  /** The link's target; write a `|` in it as `%7C`, since `|` separates the parts of `linkN`. */
  readonly url: string
  /** The text shown for the link on the registration page; a `|` in it would split `linkN` wrongly. */
  readonly name: string
  /** `INFO` (default) or `DOWNLOAD`. */
  readonly type?: 'INFO' | 'DOWNLOAD'
}

/** Registration fields of `work.register` (§4). Anything not listed goes in `extra`. */
export interface WorkFields {
  /** The work's title (`title`); required and not empty. */
  readonly title: string
  /** A short description shown with the registration (`excerpt`). */
  readonly excerpt?: string
  /** Comma-separated text, or a list joined with ", ". */
  readonly tags?: string | readonly string[]
  /** License code or URL. */
  readonly license?: string
  /** Work type code (see `workTypes()`). */
  readonly worktype?: string
  /** Language code (see `workLanguages()`). */
  readonly language?: string
  /** Registration profile code (see `profiles()`). */
  readonly profile?: string
  /** Offer the registered file for download on the public page (`allowdownload`, sent as 1 or 0). */
  readonly allowDownload?: boolean
  /** Make the registration public (`registrypublic`, 1 or 0); a private one is read with `getPrivateWork`. */
  readonly registryPublic?: boolean
  /** Register as final (cannot be changed afterwards). */
  readonly final?: boolean
  /** Whether the authorizing user is an author of the work (`userauthor`, sent as 1 or 0). */
  readonly userAuthor?: boolean
  /** Links attached to the work, sent as `link1`, `link2`... in this order. */
  readonly links?: readonly WorkLink[]
  /** More parameters, sent and signed as given (strings only). */
  readonly extra?: Readonly<Record<string, string>>
}

/** The content of a registration: exactly one source (§4). */
export type WorkSource =
  | {
      /** The ticket `work.upload.commit` (or a `bypost` upload) returned for the uploaded file (§4). */
      readonly uploadTicket: string
    }
  | {
      /** The work itself as text (a poem, a script), registered without a file. */
      readonly text: string
    }
  | {
      /** Safe Creative downloads the file from this URL (the work stays `PROCESSING` until then). */
      readonly url: string
      /** The file's name, as the registration will show it. */
      readonly filename: string
      /** Size in bytes. */
      readonly size: number
      /** SHA-1 hex of the file. */
      readonly checksum: string
    }

const flag = (value: boolean) => (value ? '1' : '0')

/** The parameters of a registration, in a stable order. */
export function workParams(source: WorkSource, fields: WorkFields): ParamPair[] {
  if (!fields || typeof fields.title !== 'string' || fields.title === '')
    throw safeCreativeError('INVALID_ARGUMENT', 'A work needs a non-empty title.', { parameter: 'title' })
  const out: ParamPair[] = []
  if ('uploadTicket' in source) out.push(['uploadticket', source.uploadTicket])
  else if ('text' in source) out.push(['text', source.text])
  else {
    if (!/^[0-9a-f]{40}$/.test(source.checksum))
      throw safeCreativeError('INVALID_ARGUMENT', 'checksum must be the lower-case hex SHA-1 of the file.', {
        parameter: 'checksum',
      })
    if (!Number.isSafeInteger(source.size) || source.size < 0)
      throw safeCreativeError('INVALID_ARGUMENT', 'size must be the file size in bytes.', {
        parameter: 'size',
      })
    out.push(
      ['url', source.url],
      ['filename', source.filename],
      ['size', String(source.size)],
      ['checksum', source.checksum],
    )
  }
  out.push(['title', fields.title])
  if (fields.excerpt !== undefined) out.push(['excerpt', fields.excerpt])
  if (fields.tags !== undefined)
    out.push(['tags', typeof fields.tags === 'string' ? fields.tags : fields.tags.join(', ')])
  if (fields.license !== undefined) out.push(['license', fields.license])
  if (fields.worktype !== undefined) out.push(['worktype', fields.worktype])
  if (fields.language !== undefined) out.push(['language', fields.language])
  if (fields.profile !== undefined) out.push(['profile', fields.profile])
  if (fields.allowDownload !== undefined) out.push(['allowdownload', flag(fields.allowDownload)])
  if (fields.registryPublic !== undefined) out.push(['registrypublic', flag(fields.registryPublic)])
  if (fields.final !== undefined) out.push(['final', flag(fields.final)])
  if (fields.userAuthor !== undefined) out.push(['userauthor', flag(fields.userAuthor)])
  fields.links?.forEach((link, i) => {
    out.push([`link${i + 1}`, `${link.url}|${link.name}|${link.type ?? 'INFO'}`])
  })
  for (const [name, value] of Object.entries(fields.extra ?? {})) out.push([name, value])
  return out
}
