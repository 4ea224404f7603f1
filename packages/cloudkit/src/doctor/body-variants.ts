import { utf8Decode, utf8Encode } from '@sigwire/core'

/** A body a client may have hashed instead of the one it sent (docs/protocols/cloudkit.md §6, cause 1). */
export interface BodyVariant {
  /** What the client did, in words ("hashed Ruby's Hash#inspect text"). */
  readonly description: string
  /** The bytes it hashed. */
  readonly bytes: Uint8Array
}

/**
 * The bodies clients are known to hash by mistake: a second JSON serialization (pretty, sorted,
 * Python's `json.dumps` defaults), a language dump (Ruby `Hash#inspect`, before and since Ruby 3.4),
 * a Latin-1 or double UTF-8 encoding, an added newline, or an empty body (`""`, `{}`). Variants equal
 * to the sent body are left out.
 */
export function bodyVariants(body: Uint8Array): BodyVariant[] {
  const out: BodyVariant[] = []
  const seen = new Set<string>([Buffer.from(body).toString('base64')])
  const add = (description: string, bytes: Uint8Array) => {
    const key = Buffer.from(bytes).toString('base64')
    if (seen.has(key)) return
    seen.add(key)
    out.push({ description, bytes })
  }
  const text = utf8Decode(body)
  let value: unknown
  let isJson = false
  try {
    value = JSON.parse(text)
    isJson = true
  } catch {
    // not JSON: only the encoding variants apply
  }
  if (isJson) {
    add(
      "hashed Ruby's Hash#inspect text (Ruby before 3.4) instead of the JSON sent",
      utf8Encode(rubyInspect(value, '=>')),
    )
    add(
      "hashed Ruby's Hash#inspect text (Ruby 3.4 and later) instead of the JSON sent",
      utf8Encode(rubyInspect(value, ' => ')),
    )
    add(
      'hashed a re-serialization of the JSON (compact) instead of the bytes sent',
      utf8Encode(JSON.stringify(value)),
    )
    add(
      'hashed pretty-printed JSON (2 spaces) instead of the bytes sent',
      utf8Encode(JSON.stringify(value, null, 2)),
    )
    add(
      'hashed pretty-printed JSON (4 spaces) instead of the bytes sent',
      utf8Encode(JSON.stringify(value, null, 4)),
    )
    add(
      'hashed the JSON with its keys sorted instead of the bytes sent',
      utf8Encode(JSON.stringify(sortKeys(value))),
    )
    add(
      "hashed Python json.dumps output (', ' and ': ' separators, \\u escapes) instead of the bytes sent",
      utf8Encode(pythonDumps(value, true)),
    )
    add(
      'hashed Python json.dumps(ensure_ascii=False) output instead of the bytes sent',
      utf8Encode(pythonDumps(value, false)),
    )
    add(
      'hashed the JSON with non-ASCII characters \\u-escaped instead of the raw UTF-8 sent',
      utf8Encode(asciiEscape(JSON.stringify(value))),
    )
  }
  if (/[^\x00-\x7f]/.test(text)) {
    add('hashed the body encoded as Latin-1 while sending UTF-8', latin1(text))
    // Node's createHash().update(text, 'binary') keeps only the low byte of each UTF-16 unit.
    add(
      "hashed the body as a 'binary' (latin1) string in Node, keeping only each character's low byte",
      new Uint8Array(Buffer.from(text, 'latin1')),
    )
    add(
      'hashed a doubly UTF-8-encoded body (UTF-8 bytes read as Latin-1 and encoded again)',
      utf8Encode(Buffer.from(body).toString('latin1')),
    )
  }
  add('hashed the body with a trailing newline', utf8Encode(`${text}\n`))
  if (text.endsWith('\n'))
    add('hashed the body without its trailing newline', utf8Encode(text.replace(/\r?\n$/, '')))
  add('hashed an empty body while sending one', new Uint8Array())
  add('hashed "{}" instead of the body sent', utf8Encode('{}'))
  return out
}

/** Ruby's `inspect` of a JSON value: `{"a"=>1, "b"=>[true, nil]}` (`arrow` is `=>` or ` => `). */
export function rubyInspect(value: unknown, arrow: string): string {
  if (value === null) return 'nil'
  if (typeof value === 'string') return rubyString(value)
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : rubyFloat(value)
  if (typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map((v) => rubyInspect(v, arrow)).join(', ')}]`
  const entries = Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([k, v]) => `${rubyString(k)}${arrow}${rubyInspect(v, arrow)}`).join(', ')}}`
}

function rubyString(text: string): string {
  let out = '"'
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (char === '"' || char === '\\') out += `\\${char}`
    else if (char === '\n') out += '\\n'
    else if (char === '\t') out += '\\t'
    else if (char === '\r') out += '\\r'
    else if (char === '\x1b') out += '\\e'
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0').toUpperCase()}`
    else out += char
  }
  // Ruby escapes "#" before "{", "$" and "@" so the text cannot be read back as interpolation.
  return `${out.replace(/#(?=[{$@])/g, '\\#')}"`
}

function rubyFloat(value: number): string {
  const text = String(value)
  return /e/.test(text) ? text.replace(/e\+?/, 'e+').replace('e+-', 'e-') : text
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key])
  return out
}

/** Python's `json.dumps(value)` with its default separators; `ensureAscii` escapes non-ASCII. */
function pythonDumps(value: unknown, ensureAscii: boolean): string {
  const render = (v: unknown): string => {
    if (v === null) return 'null'
    if (typeof v === 'string') return ensureAscii ? asciiEscape(JSON.stringify(v)) : JSON.stringify(v)
    if (typeof v !== 'object') return JSON.stringify(v)
    if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${render(k)}: ${render(x)}`)
      .join(', ')}}`
  }
  return render(value)
}

function asciiEscape(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    out[i] = code < 256 ? code : 0x3f
  }
  return out
}
