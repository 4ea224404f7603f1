import { type InlineSpan, type NoteParagraph, noteParagraphs } from './paragraphs.js'
import type { NoteBody, NoteParagraphStyle } from './types.js'

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

/** Link targets kept: a note can hold any text as a link, and `javascript:` must not become one. */
export function safeLink(link: string | undefined): string | undefined {
  if (!link) return undefined
  return /^(https?:|mailto:|tel:)/i.test(link.trim()) ? link.trim() : undefined
}

/** Which block a paragraph belongs to: consecutive paragraphs of one kind share it. */
function blockOf(p: NoteParagraph): string {
  if (p.blockQuote) return 'quote'
  switch (p.style) {
    case 'dotted':
    case 'dashed':
      return 'ul'
    case 'numbered':
      return 'ol'
    case 'checklist':
      return 'checklist'
    case 'monospaced':
      return 'pre'
    default:
      return 'single'
  }
}

/** Groups consecutive paragraphs of one list, quote or monospaced block; empty lines end a block. */
function blocks(body: NoteBody): Array<{ kind: string; items: NoteParagraph[] }> {
  const out: Array<{ kind: string; items: NoteParagraph[] }> = []
  for (const p of noteParagraphs(body)) {
    if (p.spans.length === 0 && p.style !== 'monospaced') {
      out.push({ kind: 'break', items: [] })
      continue
    }
    const kind = blockOf(p)
    const last = out[out.length - 1]
    if (kind !== 'single' && last?.kind === kind) last.items.push(p)
    else out.push({ kind, items: [p] })
  }
  return out.filter((b) => b.kind !== 'break')
}

function htmlSpan(span: InlineSpan): string {
  let html = escapeHtml(span.text)
  const r = span.run
  if (!r) return html
  if (r.superscript > 0) html = `<sup>${html}</sup>`
  if (r.superscript < 0) html = `<sub>${html}</sub>`
  if (r.strikethrough) html = `<s>${html}</s>`
  if (r.underline) html = `<u>${html}</u>`
  if (r.italic) html = `<i>${html}</i>`
  if (r.bold) html = `<b>${html}</b>`
  const link = safeLink(r.link)
  if (link) html = `<a href="${escapeHtml(link)}">${html}</a>`
  return html
}

const inlineHtml = (p: NoteParagraph) => p.spans.map(htmlSpan).join('')

const HEADINGS: Partial<Record<NoteParagraphStyle, string>> = { title: 'h1', heading: 'h2', subheading: 'h3' }

/**
 * The note as an HTML fragment: title, heading and subheading as `h1`-`h3`, lists as `ul`/`ol`,
 * checklists as `ul class="checklist"` with disabled checkboxes, monospaced lines as one `pre`, block
 * quotes, and bold, italic, underline, strikethrough, super/subscript and links (http, https, mailto
 * and tel only). Embedded objects are left out. All text is escaped.
 */
export function noteBodyToHtml(body: NoteBody): string {
  const out: string[] = []
  for (const block of blocks(body)) {
    const items = block.items
    switch (block.kind) {
      case 'ul':
        out.push(`<ul>${items.map((p) => `<li>${inlineHtml(p)}</li>`).join('')}</ul>`)
        break
      case 'ol': {
        const start = items[0]!.listStart
        out.push(
          `<ol${start && start !== 1 ? ` start="${start}"` : ''}>${items.map((p) => `<li>${inlineHtml(p)}</li>`).join('')}</ol>`,
        )
        break
      }
      case 'checklist':
        out.push(
          `<ul class="checklist">${items
            .map(
              (p) =>
                `<li class="${p.checked ? 'checked' : 'unchecked'}"><input type="checkbox" disabled${p.checked ? ' checked' : ''}> ${inlineHtml(p)}</li>`,
            )
            .join('')}</ul>`,
        )
        break
      case 'pre':
        out.push(`<pre>${items.map((p) => p.spans.map((s) => escapeHtml(s.text)).join('')).join('\n')}</pre>`)
        break
      case 'quote':
        out.push(`<blockquote>${items.map((p) => `<p>${inlineHtml(p)}</p>`).join('')}</blockquote>`)
        break
      default: {
        const p = items[0]!
        const tag = HEADINGS[p.style] ?? 'p'
        out.push(`<${tag}>${inlineHtml(p)}</${tag}>`)
      }
    }
  }
  return out.join('\n')
}

/** Characters Markdown would read as syntax inside a line. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]~<>|]/g, '\\$&')
}

function markdownSpan(span: InlineSpan): string {
  const r = span.run
  // Markers must hug the text: surrounding spaces stay outside them.
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(span.text) ?? []
  let md = escapeMarkdown(core)
  if (r && core !== '') {
    if (r.strikethrough) md = `~~${md}~~`
    if (r.italic) md = `*${md}*`
    if (r.bold) md = `**${md}**`
    const link = safeLink(r.link)
    if (link) md = `[${md}](<${link.replace(/[<>]/g, encodeURIComponent)}>)`
  }
  return `${lead}${md}${trail}`
}

/** A line's Markdown; a line starting with what Markdown reads as a block marker is escaped. */
function inlineMarkdown(p: NoteParagraph): string {
  return p.spans
    .map(markdownSpan)
    .join('')
    .replace(/^(\s*)([#>+-]|\d+[.)])(?=\s|$)/, '$1\\$2')
}

/**
 * The number of each item of a numbered list: counted per indentation level, restarting under a new
 * parent item, the first one from `listStart` when the note sets it.
 */
export function numbered(items: readonly NoteParagraph[]): Array<[NoteParagraph, number]> {
  const counters: number[] = []
  return items.map((p) => {
    const level = Math.max(0, p.indent)
    counters.length = level + 1
    const n = counters[level] === undefined ? (p.listStart ?? 1) : counters[level]! + 1
    counters[level] = n
    return [p, n]
  })
}

const MD_PREFIX: Partial<Record<NoteParagraphStyle, string>> = {
  title: '# ',
  heading: '## ',
  subheading: '### ',
}

/**
 * The note as Markdown (CommonMark with GFM task lists and strikethrough): `#`-`###` headings, `-`
 * and `1.` lists indented two spaces per level, `- [ ]`/`- [x]` checklists, monospaced lines in a
 * fenced block, `>` quotes, `**bold**`, `*italic*`, `~~struck~~` and links. Underline and
 * super/subscript have no Markdown and are dropped; embedded objects are left out.
 */
export function noteBodyToMarkdown(body: NoteBody): string {
  const out: string[] = []
  for (const block of blocks(body)) {
    const items = block.items
    const indent = (p: NoteParagraph) => '  '.repeat(Math.max(0, p.indent))
    switch (block.kind) {
      case 'ul':
        out.push(items.map((p) => `${indent(p)}- ${inlineMarkdown(p)}`).join('\n'))
        break
      case 'ol':
        out.push(
          numbered(items)
            .map(([p, n]) => `${'   '.repeat(Math.max(0, p.indent))}${n}. ${inlineMarkdown(p)}`)
            .join('\n'),
        )
        break
      case 'checklist':
        out.push(items.map((p) => `${indent(p)}- [${p.checked ? 'x' : ' '}] ${inlineMarkdown(p)}`).join('\n'))
        break
      case 'pre': {
        const code = items.map((p) => p.spans.map((s) => s.text).join('')).join('\n')
        const fence = '`'.repeat(Math.max(3, ...[...code.matchAll(/`+/g)].map((m) => m[0].length + 1)))
        out.push(`${fence}\n${code}\n${fence}`)
        break
      }
      case 'quote':
        out.push(items.map((p) => `> ${inlineMarkdown(p)}`).join('\n>\n'))
        break
      default: {
        const p = items[0]!
        const prefix = MD_PREFIX[p.style]
        out.push(prefix ? `${prefix}${p.spans.map(markdownSpan).join('')}` : inlineMarkdown(p))
      }
    }
  }
  return out.length === 0 ? '' : `${out.join('\n\n')}\n`
}
