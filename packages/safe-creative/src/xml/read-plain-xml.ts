import type { XmlObject, XmlValue } from './parse-response.js'

/**
 * Reads the plain XML Safe Creative answers with (docs/protocols/safe-creative.md §5: an optional
 * declaration, then elements and text), giving exactly what fast-xml-parser gives with the options of
 * `parseXml` (attributes ignored, values kept as trimmed strings, a repeated child as an array,
 * `&amp; &lt; &gt; &quot; &apos;` decoded). It exists for speed: fast-xml-parser validates and then
 * parses, about 40 µs for a three-element answer, which was the largest cost of a Safe Creative call
 * after the network; this single pass takes a few.
 *
 * Returns undefined for anything outside that subset, well-formed or not (comments, CDATA, DOCTYPE,
 * processing instructions, character references, other entities, mixed content, several roots, a
 * mismatched tag): `parseXml` then hands the text to fast-xml-parser, which parses it or says why it
 * is not XML. So this reader never decides that an answer is malformed.
 */
export function readPlainXml(text: string): Record<string, XmlValue> | undefined {
  const reader = new Reader(text)
  return reader.document()
}

// Character classes by code (a lookup per character instead of a regular expression per character).
const NAME_START = new Uint8Array(128)
const NAME_CHAR = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_') {
  NAME_START[c.charCodeAt(0)] = 1
  NAME_CHAR[c.charCodeAt(0)] = 1
}
for (const c of '0123456789.:-') NAME_CHAR[c.charCodeAt(0)] = 1

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9
}
// Names a plain object must not be given as keys (fast-xml-parser handles them its own way).
const UNSAFE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
const ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
])

class Reader {
  readonly #text: string
  #at = 0

  constructor(text: string) {
    this.#text = text
  }

  document(): Record<string, XmlValue> | undefined {
    this.#skipSpace()
    const text = this.#text
    if (
      text.startsWith('<?xml', this.#at) &&
      (isSpace(text.charCodeAt(this.#at + 5)) || text[this.#at + 5] === '?')
    ) {
      const end = text.indexOf('?>', this.#at)
      if (end === -1) return undefined
      this.#at = end + 2
      this.#skipSpace()
    }
    const root = this.#element()
    if (root === undefined) return undefined
    this.#skipSpace()
    if (this.#at !== text.length) return undefined
    return { [root.name]: root.value }
  }

  /** One element at the cursor, or undefined when it is outside the subset. */
  #element(): { name: string; value: XmlValue } | undefined {
    const text = this.#text
    if (text[this.#at] !== '<') return undefined
    this.#at++
    const name = this.#name()
    if (name === undefined) return undefined
    if (!this.#skipAttributes()) return undefined
    if (text.startsWith('/>', this.#at)) {
      this.#at += 2
      return { name, value: '' }
    }
    if (text[this.#at] !== '>') return undefined
    this.#at++
    let children: XmlObject | undefined
    let content = ''
    for (;;) {
      const lt = text.indexOf('<', this.#at)
      if (lt === -1) return undefined
      content += text.slice(this.#at, lt)
      this.#at = lt
      if (text[lt + 1] === '/') {
        this.#at = lt + 2
        if (this.#name() !== name) return undefined
        this.#skipSpace()
        if (text[this.#at] !== '>') return undefined
        this.#at++
        if (children === undefined) return decoded(content.trim(), name)
        // Text beside child elements (mixed content) becomes `#text` in fast-xml-parser.
        return content.trim() === '' ? { name, value: children } : undefined
      }
      const child = this.#element()
      if (child === undefined) return undefined
      children ??= {}
      // An element's value is text or an object, so an array here is a repeated child's.
      const previous = children[child.name]
      if (previous === undefined) children[child.name] = child.value
      else if (Array.isArray(previous)) previous.push(child.value)
      else children[child.name] = [previous, child.value]
    }
  }

  #name(): string | undefined {
    const text = this.#text
    const start = this.#at
    if (NAME_START[text.charCodeAt(start)] !== 1) return undefined
    let end = start + 1
    while (NAME_CHAR[text.charCodeAt(end)] === 1) end++
    this.#at = end
    const name = text.slice(start, end)
    return UNSAFE_NAMES.has(name) ? undefined : name
  }

  /** Skips `name="value"` pairs (fast-xml-parser ignores them here); false when they are malformed. */
  #skipAttributes(): boolean {
    const text = this.#text
    for (;;) {
      const before = this.#at
      this.#skipSpace()
      const c = text[this.#at]
      if (c === '>' || c === '/') return true
      if (this.#at === before) return false
      if (this.#name() === undefined) return false
      this.#skipSpace()
      if (text[this.#at] !== '=') return false
      this.#at++
      this.#skipSpace()
      const quote = text[this.#at]
      if (quote !== '"' && quote !== "'") return false
      const end = text.indexOf(quote, this.#at + 1)
      if (end === -1 || text.slice(this.#at + 1, end).includes('<')) return false
      this.#at = end + 1
    }
  }

  #skipSpace(): void {
    while (isSpace(this.#text.charCodeAt(this.#at))) this.#at++
  }
}

/** `text` with the five predefined entities decoded; undefined for any other `&` (left to fast-xml-parser). */
function decoded(text: string, name: string): { name: string; value: string } | undefined {
  if (!text.includes('&')) return { name, value: text }
  let out = ''
  let at = 0
  for (;;) {
    const amp = text.indexOf('&', at)
    if (amp === -1) return { name, value: out + text.slice(at) }
    const semicolon = text.indexOf(';', amp)
    const entity = semicolon === -1 ? undefined : ENTITIES.get(text.slice(amp + 1, semicolon))
    if (entity === undefined) return undefined
    out += text.slice(at, amp) + entity
    at = semicolon + 1
  }
}
