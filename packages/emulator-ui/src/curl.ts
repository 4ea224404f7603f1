import type { UiRequest } from './request-view.js'

/** Headers curl sets itself, left out of the command. */
const CURL_SETS = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'transfer-encoding'])

/** Quotes a word for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/**
 * The request as a curl command, secrets redacted: the target as the emulator logged it (credentials
 * masked) and each header with a shell variable in place of its value (the log records no value), so a
 * person fills in their own, e.g. `AUTHORIZATION=... sh -c '<command>'`.
 */
export function curlCommand(request: UiRequest, origin: string): string {
  const parts = ['curl']
  if (request.method !== 'GET') parts.push('-X', request.method)
  parts.push(shellQuote(`${origin}${request.target}`))
  for (const name of request.headerNames) {
    if (CURL_SETS.has(name)) continue
    const variable = name.toUpperCase().replace(/[^A-Z0-9]/g, '_')
    parts.push('-H', `"${name}: \${${variable}}"`)
  }
  if (request.bodyBytes > 0) parts.push('--data-binary', '@body.bin')
  return parts.join(' ')
}
