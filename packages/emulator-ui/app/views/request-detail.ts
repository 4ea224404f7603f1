import { useState } from 'preact/hooks'
import { curlCommand } from '../../src/curl.js'
import type { ServiceInfo, UiRequest } from '../api.js'
import { html } from '../html.js'
import { TokenTable } from './token-table.js'

/** The doctor's view of one request: verdict, findings with their fix, the token diff, copy as curl. */
export function RequestDetail(props: { request: UiRequest; services: ServiceInfo[]; onClose: () => void }) {
  const r = props.request
  const origin = props.services.find((s) => s.id === r.service)?.url ?? ''
  const curl = curlCommand(r, origin)
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(curl)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }
  const d = r.difference
  return html`<section class="detail" data-request=${r.key} data-verdict=${r.verdict}>
    <header>
      <h2><span class=${`verdict ${r.verdict}`}>${r.verdict}</span> ${r.method} ${r.target}</h2>
      <button onClick=${props.onClose} aria-label="close">×</button>
    </header>
    <p class="summary">
      ${r.service} · status ${r.status} · ${r.latencyMs} ms${r.route ? ` · ${r.route}` : ''}
      ${r.reason ? html` · <code>${r.reason}</code>` : null}
    </p>
    ${r.message ? html`<p class="message">${r.message}</p>` : null}
    ${
      r.findings.length > 0
        ? html`<h3>Findings</h3>
          <ul class="findings">
            ${r.findings.map(
              (f) => html`<li class=${`finding ${f.severity}`} data-finding=${f.code}>
                <code>${f.code}</code>${f.token ? html` <span class="token-label">(${f.token})</span>` : null}
                <div>${f.message}</div>
                <div class="fix"><strong>Fix:</strong> ${f.fix}</div>
              </li>`,
            )}
          </ul>`
        : r.verdict === 'rejected'
          ? html`<p class="muted">The doctor had nothing to add for this request.</p>`
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
    }
    <h3>Copy as curl <small>(secrets redacted)</small></h3>
    <pre class="curl">${curl}</pre>
    <button onClick=${copy}>${copied ? 'Copied' : 'Copy as curl'}</button>
    <p class="muted">Header values are never recorded by the emulator; set each variable to your own value.</p>
  </section>`
}
