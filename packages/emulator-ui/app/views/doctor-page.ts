import { useState } from 'preact/hooks'
import { api, type UiRequest } from '../api.js'
import { html } from '../html.js'
import { Diagnosis } from './diagnosis.js'

const KEY_LABELS: Record<string, string> = {
  cloudkit: 'registered public key (PEM)',
  'apple-news': 'API secret (base64)',
  'safe-creative': 'private key',
}

interface Report {
  ok: boolean
  findings: UiRequest['findings']
  firstDifference?: UiRequest['difference']
}

/**
 * Paste a request and its key, get `sigwire doctor`'s diagnosis drawn as in the request log. The key
 * lives in this component's memory only (never in storage or the URL) and is sent to the local UI
 * server for this one diagnosis.
 */
export function DoctorPage(props: { available: boolean }) {
  const [protocol, setProtocol] = useState('safe-creative')
  const [format, setFormat] = useState('curl')
  const [text, setText] = useState('')
  const [key, setKey] = useState('')
  const [signed, setSigned] = useState('')
  const [report, setReport] = useState<Report | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const value = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value)
  if (!props.available)
    return html`<p class="muted">The doctor page runs with <code>sigwire emulate</code>.</p>`
  const run = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    setReport(undefined)
    try {
      const answer = await api.doctor({ protocol, format, text, key, signed })
      if (answer.error) setError(`${answer.error.code}: ${answer.error.message}`)
      else setReport(answer.report as Report)
    } catch (failure) {
      setError((failure as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return html`<section class="doctor">
    <h2>Doctor</h2>
    <p class="muted">The same diagnosis as <code>sigwire doctor</code>. The key stays in this page and is used for this diagnosis only.</p>
    <form onSubmit=${run}>
      <div class="row">
        <label>service <select name="protocol" value=${protocol} onChange=${value(setProtocol)}>
          <option value="cloudkit">CloudKit</option>
          <option value="apple-news">Apple News</option>
          <option value="safe-creative">Safe Creative</option>
        </select></label>
        <label>request as <select name="format" value=${format} onChange=${value(setFormat)}>
          <option value="curl">curl command</option>
          <option value="har">HAR</option>
          <option value="raw">raw HTTP request</option>
        </select></label>
      </div>
      <textarea name="text" rows="8" spellcheck="false" placeholder="curl 'https://...' -H '...'" value=${text} onInput=${value(setText)}></textarea>
      <label class="block">${KEY_LABELS[protocol]}
        <input name="key" type="password" autocomplete="off" value=${key} onInput=${value(setKey)} />
      </label>
      <label class="block">string the client signed (optional)
        <input name="signed" type="password" autocomplete="off" value=${signed} onInput=${value(setSigned)} />
      </label>
      <button type="submit" name="diagnose" disabled=${busy}>Diagnose</button>
    </form>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${
      report
        ? html`<div class="report" data-ok=${String(report.ok)}>
          <p><span class=${`verdict ${report.ok ? 'verified' : 'rejected'}`}>${report.ok ? 'would be accepted' : 'would be rejected'}</span></p>
          <${Diagnosis} findings=${report.findings} difference=${report.firstDifference} />
        </div>`
        : null
    }
  </section>`
}
