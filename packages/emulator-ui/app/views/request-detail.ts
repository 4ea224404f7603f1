import { useState } from 'preact/hooks'
import { curlCommand } from '../../src/curl.js'
import type { ServiceInfo, UiRequest } from '../api.js'
import { html } from '../html.js'
import { Diagnosis } from './diagnosis.js'

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
    <${Diagnosis} findings=${r.findings} difference=${r.difference} />
    ${r.findings.length === 0 && r.verdict === 'rejected' ? html`<p class="muted">The doctor had nothing to add for this request.</p>` : null}
    <h3>Copy as curl <small>(secrets redacted)</small></h3>
    <pre class="curl">${curl}</pre>
    <button onClick=${copy}>${copied ? 'Copied' : 'Copy as curl'}</button>
    <p class="muted">Header values are never recorded by the emulator; set each variable to your own value.</p>
  </section>`
}
