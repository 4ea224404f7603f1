import { splitAtByte, splitHexAtByte } from '../../src/byte-highlight.js'
import type { UiRequest } from '../api.js'
import { html } from '../html.js'

type Difference = NonNullable<UiRequest['difference']>
type Row = Difference['expectedTokens'][number]

/** One side of the string-to-sign as token rows; the first differing token and byte are marked. */
export function TokenTable(props: {
  title: string
  rows: readonly Row[]
  difference: Difference
  side: string
}) {
  const { rows, difference } = props
  return html`<table class="tokens" data-side=${props.side}>
    <caption>${props.title}</caption>
    <thead>
      <tr><th>#</th><th>label</th><th>text</th><th>UTF-8 hex</th></tr>
    </thead>
    <tbody>
      ${rows.map((row) => {
        const differs = row.order === difference.index
        return html`<tr class=${differs ? 'differs' : ''} data-token=${row.label}>
          <td>${row.order}</td>
          <td>${row.label}</td>
          <td class="text">${differs ? marked(splitAtByte(row.text, difference.offsetInToken), row.secret) : row.text}</td>
          <td class="hex">${differs ? marked(splitHexAtByte(row.hex, difference.offsetInToken), row.secret) : row.hex}</td>
        </tr>`
      })}
      ${
        rows.length <= difference.index
          ? html`<tr class="differs missing"><td>${difference.index}</td><td>${difference.label}</td><td colspan="2"><em>(no token here)</em></td></tr>`
          : null
      }
    </tbody>
  </table>`
}

function marked([before, at, after]: [string, string, string], secret: boolean) {
  if (secret) return before + at + after
  return html`${before}<mark class="diff-byte">${at === '' ? '∅' : visible(at)}</mark>${after}`
}

/** Shows whitespace and control characters as visible symbols, so a differing byte can be seen. */
function visible(char: string): string {
  if (char === ' ') return '␠'
  if (char === '\n') return '␊'
  if (char === '\r') return '␍'
  if (char === '\t') return '␉'
  return char
}
