import type { UiRequest } from '../api.js'
import { html } from '../html.js'

/** Filters of the log. */
export interface LogFilter {
  service: string
  verdict: string
  status: string
  finding: string
}

/** Whether `r` passes `filter` (empty fields pass everything). */
export function matches(r: UiRequest, filter: LogFilter): boolean {
  if (filter.service && r.service !== filter.service) return false
  if (filter.verdict && r.verdict !== filter.verdict) return false
  if (filter.status && !String(r.status).startsWith(filter.status.trim())) return false
  if (filter.finding && !r.findings.some((f) => f.code.includes(filter.finding.trim()))) return false
  return true
}

/** The live request log with its filters. */
export function RequestLog(props: {
  requests: UiRequest[]
  services: string[]
  filter: LogFilter
  selected: string | undefined
  onFilter: (filter: LogFilter) => void
  onSelect: (key: string) => void
  onExport: () => void
}) {
  const { filter } = props
  const set = (field: keyof LogFilter) => (event: Event) =>
    props.onFilter({ ...filter, [field]: (event.target as HTMLInputElement).value })
  const shown = props.requests.filter((r) => matches(r, filter))
  return html`<section class="log">
    <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>service <select name="service" value=${filter.service} onChange=${set('service')}>
        <option value="">all</option>
        ${props.services.map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      <label>verdict <select name="verdict" value=${filter.verdict} onChange=${set('verdict')}>
        <option value="">all</option>
        ${['verified', 'rejected', 'faulted', 'failed', 'error'].map((v) => html`<option value=${v}>${v}</option>`)}
      </select></label>
      <label>status <input name="status" size="4" value=${filter.status} onInput=${set('status')} /></label>
      <label>finding <input name="finding" size="18" value=${filter.finding} onInput=${set('finding')} /></label>
      <span class="count">${shown.length} of ${props.requests.length}</span>
      <button type="button" onClick=${props.onExport}>Export HAR</button>
    </form>
    <table class="requests">
      <thead>
        <tr><th>time</th><th>service</th><th>method</th><th>path</th><th>status</th><th>verdict</th><th>latency</th></tr>
      </thead>
      <tbody>
        ${shown.map(
          (r) => html`<tr
            key=${r.key}
            data-key=${r.key}
            data-verdict=${r.verdict}
            class=${r.key === props.selected ? 'selected' : ''}
            onClick=${() => props.onSelect(r.key)}
          >
            <td>${r.at.slice(11, 23)}</td>
            <td>${r.service}</td>
            <td>${r.method}</td>
            <td class="path" title=${r.target}>${r.target}</td>
            <td>${r.status || 'drop'}</td>
            <td><span class=${`verdict ${r.verdict}`}>${r.verdict}</span>${r.findings.length ? html` <small>${r.findings[0]!.code}</small>` : null}</td>
            <td>${r.latencyMs} ms</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${props.requests.length === 0 ? html`<p class="muted">No request yet: point a client at an emulator.</p>` : null}
  </section>`
}
