import { REDACTED, SENSITIVE_HEADER_NAMES, SENSITIVE_PARAM_NAMES } from './sensitive-names.js'

/** Secrets shorter than this are not searched for in free text: they would match innocent words. */
const MIN_SECRET_LENGTH = 6

/**
 * Removes credentials from anything that may be printed: free text, headers, URLs and whole objects.
 *
 * Redaction has two layers. Known credential-bearing header and parameter names are always masked.
 * On top of that every secret value a client holds (a private key's PEM, an HMAC secret, a password,
 * a session token) is registered with {@link Redactor.addSecret}, and any occurrence of it, raw or
 * percent-encoded, is masked wherever it appears. Clients share one redactor with their transport, so
 * an error message, a debug line and a diagnostics event all go through the same filter.
 */
export class Redactor {
  readonly #secrets = new Set<string>()
  readonly #headerNames: Set<string>
  readonly #paramNames: Set<string>
  #pattern: RegExp | undefined

  constructor(
    options: {
      secrets?: Iterable<string>
      headerNames?: Iterable<string>
      paramNames?: Iterable<string>
    } = {},
  ) {
    this.#headerNames = new Set([...SENSITIVE_HEADER_NAMES, ...[...(options.headerNames ?? [])].map(lower)])
    this.#paramNames = new Set([...SENSITIVE_PARAM_NAMES, ...[...(options.paramNames ?? [])].map(lower)])
    for (const secret of options.secrets ?? []) this.addSecret(secret)
  }

  /** Registers a secret value; from now on it is masked wherever it appears. Returns the value. */
  addSecret<T extends string | undefined>(value: T): T {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return value
    const forms = [value, encodeURIComponent(value), value.replace(/\s+/g, '')]
    for (const form of forms) {
      if (form.length >= MIN_SECRET_LENGTH && !this.#secrets.has(form)) {
        this.#secrets.add(form)
        this.#pattern = undefined
      }
    }
    // A multi-line PEM is also masked line by line, so a wrapped or partial quote of it is caught.
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const trimmed = line.trim()
        if (trimmed.length >= 16 && !trimmed.startsWith('-----')) this.addSecret(trimmed)
      }
    }
    return value
  }

  /** Marks an extra header name (case-insensitive) as credential-bearing. */
  addHeaderName(name: string): void {
    this.#headerNames.add(lower(name))
  }

  /** Marks an extra query/form parameter name (case-insensitive) as credential-bearing. */
  addParamName(name: string): void {
    this.#paramNames.add(lower(name))
  }

  /** True when `name` is a credential-bearing header. */
  isSensitiveHeader(name: string): boolean {
    return this.#headerNames.has(lower(name))
  }

  /** Masks every registered secret inside `text`. */
  redactText(text: string): string {
    if (this.#secrets.size === 0) return text
    this.#pattern ??= new RegExp(
      [...this.#secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    )
    return text.replace(this.#pattern, REDACTED)
  }

  /** Masks credential parameters (by name) and registered secrets (by value) in a URL. */
  redactUrl(url: string | URL): string {
    const text = String(url)
    const queryStart = text.indexOf('?')
    if (queryStart === -1) return this.redactText(text)
    const hashStart = text.indexOf('#', queryStart)
    const query = text.slice(queryStart + 1, hashStart === -1 ? undefined : hashStart)
    const masked = query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=')
        const name = eq === -1 ? pair : pair.slice(0, eq)
        return eq !== -1 && this.#paramNames.has(lower(safeDecode(name))) ? `${name}=${REDACTED}` : pair
      })
      .join('&')
    return this.redactText(
      `${text.slice(0, queryStart)}?${masked}${hashStart === -1 ? '' : text.slice(hashStart)}`,
    )
  }

  /** Returns a copy of `headers` with credential headers and registered secrets masked. */
  redactHeaders(
    headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  ): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue
      const joined = typeof value === 'string' ? value : value.join(', ')
      out[name] = this.#headerNames.has(lower(name)) ? REDACTED : this.redactText(joined)
    }
    return out
  }

  /**
   * Deep-copies `value`, masking registered secrets in every string, credential headers inside any
   * `headers` object, and credential parameters inside any string that looks like a URL.
   */
  redact<T>(value: T): T {
    return this.#walk(value, new WeakMap()) as T
  }

  #walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string')
      return /^https?:\/\//.test(value) ? this.redactUrl(value) : this.redactText(value)
    if (value === null || typeof value !== 'object') return value
    if (value instanceof Uint8Array) return value
    if (seen.has(value)) return seen.get(value)
    if (Array.isArray(value)) {
      const out: unknown[] = []
      seen.set(value, out)
      for (const item of value) out.push(this.#walk(item, seen))
      return out
    }
    if (value instanceof Error) {
      const copy = { name: value.name, message: this.redactText(value.message) }
      seen.set(value, copy)
      return copy
    }
    const out: Record<string, unknown> = {}
    seen.set(value, out)
    for (const [key, item] of Object.entries(value)) {
      if (this.#headerNames.has(lower(key)) && (typeof item === 'string' || Array.isArray(item)))
        out[key] = REDACTED
      else if (this.#paramNames.has(lower(key)) && typeof item === 'string') out[key] = REDACTED
      else out[key] = this.#walk(item, seen)
    }
    return out
  }
}

function lower(text: string): string {
  return text.toLowerCase()
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}
