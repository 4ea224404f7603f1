import { parse } from 'shell-quote'
import { cliError } from '../output/errors.js'
import { checkMethod, refuseUrlCredentials } from './http-syntax.js'
import { addHeader, type ParsedRequest, splitAbsoluteUrl } from './parsed-request.js'
import { readUserFile } from './read-file.js'
import { unclosedQuote } from './shell-quotes.js'

const IGNORED_FLAGS = new Set([
  '-s',
  '--silent',
  '-S',
  '--show-error',
  '-v',
  '--verbose',
  '-i',
  '--include',
  '-k',
  '--insecure',
  '-L',
  '--location',
  '--compressed',
  '-f',
  '--fail',
  '-#',
  '--progress-bar',
])
const IGNORED_WITH_VALUE = new Set([
  '-o',
  '--output',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-w',
  '--write-out',
  '--retry',
  '--retry-delay',
  '--retry-max-time',
  '--cacert',
  '--capath',
  '-E',
  '--cert',
  '--key',
  '-x',
  '--proxy',
  '--resolve',
  '--connect-to',
  '-c',
  '--cookie-jar',
  '--limit-rate',
  '--max-redirs',
  '--interface',
])
/** Options whose body sigwire does not rebuild byte for byte (multipart, uploads, encoded data). */
const UNSUPPORTED_BODY = new Set(['-F', '--form', '--form-string', '-T', '--upload-file', '--data-urlencode'])

/**
 * Reads the request a `curl ...` command line would send: method, URL, headers and body, following
 * curl's own rules (`-d` implies POST and `application/x-www-form-urlencoded`, several `-d` are joined
 * with `&`, `-d @file` drops line breaks while `--data-binary @file` keeps bytes, `-G` moves data into
 * the query). Tokenized with shell-quote, so quoting works as in a POSIX shell; what a shell would
 * refuse (an unclosed quote) or run as more than curl (pipes, redirections) is `INVALID_CURL`.
 * `readFile` reads `@file` data (default: the file, with the CLI's file errors).
 */
export function parseCurl(
  commandLine: string,
  readFile: (path: string, flag: string) => Uint8Array = (p, flag) => readUserFile(p, `curl ${flag} @file`),
): ParsedRequest {
  const joined = commandLine.replace(/\\\r?\n/g, ' ')
  const open = unclosedQuote(joined)
  if (open !== undefined)
    throw cliError(
      'INVALID_CURL',
      `The --curl command has an unclosed ${open} quote: close it (a shell would refuse the command too).`,
    )
  const tokens = parse(joined).map((t) => {
    if (typeof t === 'string') return t
    if ('op' in t && t.op === 'glob') return (t as { pattern: string }).pattern
    throw cliError(
      'INVALID_CURL',
      'The --curl command contains shell operators or comments (pipes, redirections, #); pass only the curl command.',
    )
  })
  if (tokens[0] !== 'curl')
    throw cliError('INVALID_CURL', 'The --curl value must be a curl command line, starting with "curl".')
  let method: string | undefined
  let url: string | undefined
  let get = false
  const headers: Record<string, string | string[]> = {}
  const data: Buffer[] = []
  let dataKind: 'form' | 'json' | undefined
  const warnings: string[] = []
  const take = (i: number, flag: string): string => {
    const value = tokens[i + 1]
    if (value === undefined)
      throw cliError('INVALID_CURL', `curl option ${flag} needs a value: complete the command.`)
    return value
  }
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!
    const eq = token.startsWith('--') ? token.indexOf('=') : -1
    const flag = eq === -1 ? token : token.slice(0, eq)
    const inline = eq === -1 ? undefined : token.slice(eq + 1)
    const value = () => {
      if (inline !== undefined) return inline
      const v = take(i, flag)
      i++
      return v
    }
    switch (flag) {
      case '-X':
      case '--request':
        method = checkMethod(value(), `curl ${flag}`).toUpperCase()
        break
      case '-H':
      case '--header': {
        const header = value()
        const colon = header.indexOf(':')
        // The header is not shown: it may hold a token or a cookie.
        if (colon <= 0)
          throw cliError(
            'INVALID_CURL',
            `curl ${flag} takes "Name: value"; header ${Object.keys(headers).length + 1} has no name before a colon.`,
          )
        addHeader(headers, header.slice(0, colon).trim(), header.slice(colon + 1).trim())
        break
      }
      case '-d':
      case '--data':
      case '--data-ascii':
      case '--data-raw':
      case '--data-binary':
      case '--json': {
        const v = value()
        const fromFile = v.startsWith('@') && flag !== '--data-raw'
        let bytes = fromFile ? Buffer.from(readFile(v.slice(1), flag)) : Buffer.from(v, 'utf8')
        // curl strips carriage returns and newlines from files given to -d/--data (not --data-binary).
        if (fromFile && (flag === '-d' || flag === '--data' || flag === '--data-ascii'))
          bytes = Buffer.from(bytes.toString('latin1').replace(/[\r\n]/g, ''), 'latin1')
        data.push(bytes)
        dataKind = flag === '--json' ? 'json' : (dataKind ?? 'form')
        break
      }
      case '--url':
        url = value()
        break
      case '-G':
      case '--get':
        get = true
        break
      case '-A':
      case '--user-agent':
        addHeader(headers, 'user-agent', value())
        break
      case '-e':
      case '--referer':
        addHeader(headers, 'referer', value())
        break
      case '-b':
      case '--cookie':
        addHeader(headers, 'cookie', value())
        break
      case '-u':
      case '--user':
        addHeader(headers, 'authorization', `Basic ${Buffer.from(value()).toString('base64')}`)
        break
      default:
        if (UNSUPPORTED_BODY.has(flag))
          throw cliError(
            'INVALID_CURL',
            `sigwire does not rebuild the body curl ${flag} sends; capture the request as a HAR file (--har) or a raw request (--request) instead.`,
          )
        if (IGNORED_FLAGS.has(flag)) break
        if (IGNORED_WITH_VALUE.has(flag)) {
          value()
          break
        }
        if (token.startsWith('-')) {
          warnings.push(`ignored curl option ${flag}`)
          break
        }
        if (url !== undefined)
          throw cliError(
            'INVALID_CURL',
            'The curl command has two URLs (or an option sigwire does not know takes a value); pass one request.',
          )
        url = token
    }
  }
  if (url === undefined)
    throw cliError('INVALID_CURL', 'The curl command has no URL: add the URL it requests.')
  refuseUrlCredentials(url, 'The curl URL')
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]
  if (scheme !== undefined && !/^https?$/i.test(scheme))
    throw cliError('INVALID_URL', `The curl URL uses ${scheme}:; sigwire reads http and https requests only.`)
  // Like curl, a URL without a scheme is http.
  if (scheme === undefined) url = `http://${url}`
  const split = splitAbsoluteUrl(url)
  if (!split)
    throw cliError('INVALID_URL', 'The curl URL has no host, or spaces in it: pass the URL as it is sent.')
  let target = split.target
  let body =
    data.length === 0
      ? Buffer.alloc(0)
      : Buffer.concat(data.flatMap((d, i) => (i === 0 ? [d] : [Buffer.from('&'), d])))
  if (get && body.length > 0) {
    target += (target.includes('?') ? '&' : '?') + body.toString('utf8')
    body = Buffer.alloc(0)
  }
  if (body.length > 0 && headers['content-type'] === undefined) {
    addHeader(
      headers,
      'content-type',
      dataKind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    )
    if (dataKind === 'json' && headers.accept === undefined) addHeader(headers, 'accept', 'application/json')
  }
  if (body.length > 0) addHeader(headers, 'content-length', String(body.length))
  const finalMethod = method ?? (body.length > 0 ? 'POST' : 'GET')
  return { method: finalMethod, target, origin: split.origin, headers, body: new Uint8Array(body), warnings }
}
