import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { vectorsDir } from '@sigwire/vitest-config/vectors'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { encodeNoteBody } from '../../emulator/notes/encode-body.js'
import { isICloudError } from '../../errors.js'
import { decodeNoteBody } from './body-codec.js'
import { NOTE_BODY_SCHEMA } from './note-body-schema.js'
import { noteBodyToText, noteParagraphs } from './paragraphs.js'
import { noteBodyToHtml, noteBodyToMarkdown } from './render.js'

// tooling/vectors/README.md: a real Apple-written body from pyicloud's tests, and Apple Cloud Notes
// Parser's simple note. Expected values come from their own tests and from the note's own text.
const pyicloud = JSON.parse(readFileSync(join(vectorsDir(), 'icloud-notes-pyicloud.json'), 'utf8')) as {
  note: { fields: Record<string, { __bytes__?: string }> }
}
const b64 = (name: string) => Buffer.from(pyicloud.note.fields[name]!.__bytes__!, 'base64')

describe('note bodies from independent sources', () => {
  it('decodes Apple Cloud Notes Parser simple note to the plain text its spec expects ("Title")', () => {
    const body = decodeNoteBody(readFileSync(join(vectorsDir(), 'icloud-notes-parser.bin')))
    expect(noteBodyToText(body)).toBe('Title')
    expect(body.runs.map((r) => r.style)).toEqual(['title'])
  })

  it("decodes pyicloud's fixture: runs cover the text, title and snippet fields match its lines", () => {
    const body = decodeNoteBody(b64('TextDataEncrypted'))
    // The runs cover the text exactly, in UTF-16 code units.
    expect(body.runs.reduce((sum, r) => sum + r.length, 0)).toBe(body.text.length)
    const lines = noteBodyToText(body)
      .split('\n')
      .filter((l) => l !== '')
    expect(lines[0]).toBe(b64('TitleEncrypted').toString('utf8'))
    expect(lines[1]).toBe(b64('SnippetEncrypted').toString('utf8'))
    expect(body.attachments.map((a) => a.uti)).toContain('com.apple.notes.table')
  })

  it("renders pyicloud's fixture as the note says it is styled", () => {
    const body = decodeNoteBody(b64('TextDataEncrypted'))
    const html = noteBodyToHtml(body)
    // "The text above is a ..." lines name the style of the line before them.
    expect(html).toContain('<h2><b>Heading</b></h2>')
    expect(html).toContain('<h3><b>Subheading</b></h3>')
    expect(html).toContain('<pre>Monospaced text</pre>')
    expect(html).toContain('<b>This is bold text.</b>')
    expect(html).toContain('<i>This is italicised text.</i>')
    expect(html).toContain('<u>This text is underlined.</u>')
    expect(html).toContain('<s>This text is Strikethrough.</s>')
    expect(html).toContain('<blockquote><p>This text is a block quote.</p></blockquote>')
    expect(html).toContain('<sup>superscript</sup>')
    expect(html).toContain('<sub>subscript</sub>')
    // pyicloud's own assertion (tests/test_notes_rendering.py 133-137).
    expect(html.toLowerCase()).toContain('checklist')
    // Checklist items say whether they should be ticked.
    const items = noteParagraphs(body).filter((p) => p.style === 'checklist')
    expect(items.length).toBeGreaterThan(3)
    for (const p of items) {
      const text = p.spans.map((s) => s.text).join('')
      if (text.includes('(should be checked)')) expect(p.checked, text).toBe(true)
      if (text.includes('(should be unchecked)')) expect(p.checked, text).toBe(false)
    }
    const md = noteBodyToMarkdown(body)
    expect(md).toMatch(/^# pyicloud notes service test\n/)
    expect(md).toContain('~~This text is Strikethrough.~~')
    expect(md).toContain('### Starting From 2\n\n2. First item')
  })
})

describe('the schema', () => {
  it('is the descriptor of note-body.proto (regenerate with node scripts/notes-schema.mjs)', () => {
    const proto = readFileSync(new URL('./note-body.proto', import.meta.url), 'utf8')
    expect(NOTE_BODY_SCHEMA).toEqual(protobuf.parse(proto, { keepCase: false }).root.toJSON())
  })
})

describe('encode and decode', () => {
  it('round-trips every style, inline formats and text outside the BMP', () => {
    const bytes = encodeNoteBody([
      { style: 'title', spans: 'Trip \u{1F30D}' },
      {
        spans: [
          { text: 'go ' },
          { text: 'now', bold: true, italic: true },
          { text: ' see', link: 'https://a.example/' },
        ],
      },
      { style: 'checklist', checked: true, spans: 'passport' },
      { style: 'checklist', spans: 'tickets' },
      { style: 'numbered', spans: 'one' },
      { style: 'numbered', indent: 1, spans: 'one.one' },
      { style: 'monospaced', spans: 'code <b>' },
    ])
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    const body = decodeNoteBody(bytes)
    expect(body.text).toBe('Trip \u{1F30D}\ngo now see\npassport\ntickets\none\none.one\ncode <b>')
    expect(body.runs.reduce((sum, r) => sum + r.length, 0)).toBe(body.text.length)
    expect(noteBodyToHtml(body)).toBe(
      [
        '<h1>Trip \u{1F30D}</h1>',
        '<p>go <b><i>now</i></b><a href="https://a.example/"> see</a></p>',
        '<ul class="checklist"><li class="checked"><input type="checkbox" disabled checked> passport</li><li class="unchecked"><input type="checkbox" disabled> tickets</li></ul>',
        '<ol><li>one</li><li>one.one</li></ol>',
        '<pre>code &lt;b&gt;</pre>',
      ].join('\n'),
    )
    expect(noteBodyToMarkdown(body)).toBe(
      '# Trip \u{1F30D}\n\ngo ***now*** [see](<https://a.example/>)\n\n- [x] passport\n- [ ] tickets\n\n1. one\n   1. one.one\n\n```\ncode <b>\n```\n',
    )
  })

  it('drops unsafe links and escapes Markdown and HTML syntax in text', () => {
    const body = decodeNoteBody(
      encodeNoteBody([{ spans: [{ text: '# not *a* heading <x>', link: 'javascript:alert(1)' }] }]),
    )
    expect(noteBodyToHtml(body)).toBe('<p># not *a* heading &lt;x&gt;</p>')
    expect(noteBodyToMarkdown(body)).toBe('\\# not \\*a\\* heading \\<x\\>\n')
  })

  it('refuses bytes that are not a note body with INVALID_RESPONSE', () => {
    for (const bad of [Buffer.from('not gzip at all'), Buffer.from([0x1f, 0x8b, 0, 0]), Buffer.alloc(0)]) {
      let error: unknown
      try {
        decodeNoteBody(bad, 'note X')
      } catch (e) {
        error = e
      }
      expect(isICloudError(error, 'INVALID_RESPONSE'), String(error)).toBe(true)
    }
  })
})
