import type { UiRequest } from '../api.js'
import { html } from '../html.js'
import { TokenTable } from './token-table.js'

/** The doctor's findings with their fix, and the token diff when the doctor found what was signed. */
export function Diagnosis(props: { findings: UiRequest['findings']; difference: UiRequest['difference'] }) {
  const d = props.difference
  return html`${
    props.findings.length > 0
      ? html`<h3>Findings</h3>
        <ul class="findings">
          ${props.findings.map(
            (f) => html`<li class=${`finding ${f.severity}`} data-finding=${f.code}>
              <code>${f.code}</code>${f.token ? html` <span class="token-label">(${f.token})</span>` : null}
              <div>${f.message}</div>
              <div class="fix"><strong>Fix:</strong> ${f.fix}</div>
            </li>`,
          )}
        </ul>`
      : null
  }
  ${
    d
      ? html`<h3>String to sign</h3>
        <p class="difference" data-difference-token=${d.label} data-difference-byte=${d.byteOffset}>
          First difference: token ${d.index} <code>${d.label}</code>, byte ${d.offsetInToken} of the token
          (byte ${d.byteOffset} of the string)${d.kind === 'value' ? '' : ` (${d.kind})`}.
        </p>
        <div class="token-tables">
          <${TokenTable} title="expected" rows=${d.expectedTokens} difference=${d} side="expected" />
          <${TokenTable} title="received (what the client signed)" rows=${d.actualTokens} difference=${d} side="received" />
        </div>`
      : null
  }`
}
