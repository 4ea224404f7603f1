import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parser, parseXml } from './parse-response.js'
import { readPlainXml } from './read-plain-xml.js'

// readPlainXml must give exactly what fast-xml-parser gives (with parseXml's options) for every plain
// document, and step aside (undefined) for everything else.

const names = fc.constantFrom('a', 'b', 'work', 'list', 'code', 'x-y', 'n.s', 'ns:t', 'A1', '_u')
const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
const text = fc
  .string({ unit: fc.constantFrom('x', 'Y', '1', ' ', '\n', '\t', '&', '<', '>', '"', "'", 'é', '😀', ';') })
  .map(escapeXml)
const space = fc.constantFrom('', ' ', '\n  ', '\r\n', '\t')
const attributes = fc
  .array(
    fc.tuple(names, fc.string({ unit: fc.constantFrom('v', '1', ' ', '>', '/') }), fc.constantFrom('"', "'")),
    { maxLength: 2 },
  )
  .map((list) => {
    const seen = new Set<string>()
    return list
      .filter(([name]) => !seen.has(name) && seen.add(name))
      .map(([name, value, q]) => ` ${name}=${q}${value}${q}`)
      .join('')
  })

const element: fc.Memo<string> = fc.memo((depth) =>
  fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(names, attributes).map(([name, attrs]) => `<${name}${attrs}/>`),
    fc
      .tuple(names, attributes, text, space)
      .map(([name, attrs, t, s]) => `<${name}${attrs}>${t}</${name}${s}>`),
    depth > 4
      ? fc.tuple(names, text).map(([name, t]) => `<${name}>${t}</${name}>`)
      : fc
          .tuple(names, attributes, fc.array(fc.tuple(space, element(depth + 1)), { maxLength: 4 }), space)
          .map(
            ([name, attrs, children, s]) =>
              `<${name}${attrs}>${children.map(([w, c]) => w + c).join('')}${s}</${name}>`,
          ),
  ),
)

const document = fc
  .tuple(fc.boolean(), space, element(0), space)
  .map(
    ([declaration, s, root, tail]) =>
      `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>' : ''}${s}${root}${tail}`,
  )

describe('readPlainXml', () => {
  it('gives what fast-xml-parser gives for plain documents (property)', () => {
    fc.assert(
      fc.property(document, (xml) => {
        const plain = readPlainXml(xml)
        expect(plain).toBeDefined()
        expect(plain).toEqual(parser.parse(xml, true))
      }),
      { numRuns: 3000 },
    )
  })

  it('reads the answers Safe Creative sends', () => {
    const listpage =
      '<?xml version="1.0" encoding="UTF-8"?>\n<listpage>\n  <recordtotal>2</recordtotal>\n  <pagetotal>1</pagetotal>\n  <list>\n    <work><code>1004200146130</code><title>A &amp; B</title></work>\n    <work><code>1004200146131</code><title/></work>\n  </list>\n</listpage>\n'
    expect(readPlainXml(listpage)).toEqual({
      listpage: {
        recordtotal: '2',
        pagetotal: '1',
        list: {
          work: [
            { code: '1004200146130', title: 'A & B' },
            { code: '1004200146131', title: '' },
          ],
        },
      },
    })
    expect(readPlainXml(listpage)).toEqual(parser.parse(listpage, true))
    expect(readPlainXml('<ztime>1700000000000</ztime>')).toEqual({ ztime: '1700000000000' })
  })

  it.each([
    ['a comment', '<a><!-- note --><b>1</b></a>'],
    ['CDATA', '<a><![CDATA[x < y]]></a>'],
    ['a DOCTYPE', '<!DOCTYPE a><a>1</a>'],
    ['a processing instruction', '<?xml-stylesheet href="s.xsl"?><a>1</a>'],
    ['a character reference', '<a>&#38;</a>'],
    ['an HTML entity', '<a>&nbsp;</a>'],
    ['mixed content', '<a>text<b>1</b></a>'],
    ['two roots', '<a>1</a><b>2</b>'],
    ['a prototype name', '<a><__proto__>1</__proto__></a>'],
    ['an entity-looking name', '<a>&constructor;</a>'],
  ])('steps aside for %s, and parseXml still reads it like fast-xml-parser', (_what, xml) => {
    expect(readPlainXml(xml)).toBeUndefined()
    let expected: unknown
    try {
      expected = parser.parse(xml, true)
    } catch {
      expected = 'malformed'
    }
    let actual: unknown
    try {
      const doc = parseXml(xml)
      actual = { [doc.root]: doc.value }
    } catch {
      actual = 'malformed'
    }
    if (expected !== 'malformed' && Object.keys(expected as object).length !== 1) expected = 'malformed'
    expect(actual).toEqual(expected)
  })

  it.each([
    ['a mismatched end tag', '<a><b>1</a></b>'],
    ['a truncated document', '<listpage><list><work>'],
    ['text outside the root', 'x<a>1</a>'],
    ['an attribute without quotes', '<a x=1>1</a>'],
    ['an HTML page', '<html><body><h1>Bad gateway</body></html>'],
  ])('never accepts %s, and parseXml throws INVALID_RESPONSE', (_what, xml) => {
    expect(readPlainXml(xml)).toBeUndefined()
    expect(() => parseXml(xml, 502)).toThrow(expect.objectContaining({ code: 'INVALID_RESPONSE' }))
  })
})
