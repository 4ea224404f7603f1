import { isBase64 } from '@sigwire/core'
import { cliError } from '../output/errors.js'
import { checkMethod, refuseUrlCredentials } from './http-syntax.js'
import { addHeader, type ParsedRequest, splitAbsoluteUrl } from './parsed-request.js'

/**
 * Reads one request from a HAR 1.2 file (browser devtools "Save all as HAR"). `entry` picks which by
 * index; `match` picks the first whose URL contains it (`NO_MATCHING_ENTRY` when none does); without
 * either, the first. Browsers store the URL as they serialized it, so the target is taken from that
 * text without re-encoding. Every field read is checked (`INVALID_HAR` names the entry and the field;
 * header values and bodies are never quoted: they hold tokens and cookies).
 */
export function parseHar(text: string, options: { entry?: number; match?: string } = {}): ParsedRequest {
  let har: unknown
  try {
    har = JSON.parse(text)
  } catch {
    throw cliError(
      'INVALID_HAR',
      'The HAR file is not valid JSON: export it again from the browser devtools.',
    )
  }
  const entries = (isObject(har) && isObject(har.log) ? har.log.entries : undefined) as unknown
  if (!Array.isArray(entries) || entries.length === 0)
    throw cliError(
      'INVALID_HAR',
      'The HAR file has no log.entries: export it from the Network tab after the request was made.',
    )
  const index = pickEntry(entries, options)
  const entry: unknown = entries[index]
  const request = isObject(entry) ? entry.request : undefined
  const at = `HAR entry ${index}`
  if (!isObject(request)) throw cliError('INVALID_HAR', `${at} has no request object.`)
  const { method, url, headers: headerList, postData } = request
  if (typeof method !== 'string' || typeof url !== 'string')
    throw cliError('INVALID_HAR', `${at} has no request method and URL (both must be strings).`)
  checkMethod(method, `${at}'s method`)
  refuseUrlCredentials(url, `${at}'s URL`)
  const split = splitAbsoluteUrl(url)
  if (!split)
    throw cliError(
      'INVALID_URL',
      `${at}'s URL is not an absolute http(s) URL without spaces; pick another entry with --entry.`,
    )
  if (headerList !== undefined && !Array.isArray(headerList))
    throw cliError('INVALID_HAR', `${at}'s request.headers is not a list.`)
  const headers: Record<string, string | string[]> = {}
  for (const [i, header] of (headerList ?? []).entries()) {
    if (!isObject(header) || typeof header.name !== 'string' || typeof header.value !== 'string')
      throw cliError('INVALID_HAR', `${at}'s header ${i} is not {"name": string, "value": string}.`)
    // HTTP/2 pseudo-headers (:authority, :path) are not request headers.
    if (!header.name.startsWith(':')) addHeader(headers, header.name, header.value)
  }
  const body = postBody(postData, at)
  const warnings = entries.length > 1 ? [`used HAR entry ${index} of ${entries.length}`] : []
  return {
    method: method.toUpperCase(),
    target: split.target,
    origin: split.origin,
    headers,
    body,
    warnings,
  }
}

function pickEntry(entries: readonly unknown[], options: { entry?: number; match?: string }): number {
  if (options.entry !== undefined) {
    if (!Number.isInteger(options.entry) || options.entry < 0 || options.entry >= entries.length)
      throw cliError(
        'INVALID_OPTION',
        `--entry ${options.entry} is not in the HAR file, which has ${entries.length} entries: pass 0 to ${entries.length - 1}.`,
      )
    return options.entry
  }
  if (options.match === undefined) return 0
  const match = options.match
  const index = entries.findIndex((e) => {
    const url = isObject(e) && isObject(e.request) ? e.request.url : undefined
    return typeof url === 'string' && url.includes(match)
  })
  if (index === -1)
    throw cliError(
      'NO_MATCHING_ENTRY',
      `No URL among the ${entries.length} HAR entries contains ${JSON.stringify(match.slice(0, 80))}: check --match, or pick an entry with --entry.`,
    )
  return index
}

function postBody(postData: unknown, at: string): Uint8Array {
  if (postData === undefined) return new Uint8Array()
  if (!isObject(postData)) throw cliError('INVALID_HAR', `${at}'s request.postData is not an object.`)
  const { text, encoding } = postData
  if (text === undefined) return new Uint8Array()
  if (typeof text !== 'string') throw cliError('INVALID_HAR', `${at}'s postData.text is not a string.`)
  if (encoding === 'base64' && !isBase64(text))
    throw cliError('INVALID_HAR', `${at}'s postData.text is marked base64 but is not base64.`)
  return new Uint8Array(Buffer.from(text, encoding === 'base64' ? 'base64' : 'utf8'))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
