import { useState } from 'preact/hooks'
import { api, type ServiceInfo } from '../api.js'
import { html } from '../html.js'

/** Fault controls of one service: the same operations as the emulator's `faults` API. */
export function FaultControls(props: { service: ServiceInfo; onError: (message: string) => void }) {
  const s = props.service
  const [kind, setKind] = useState('throttle')
  const [times, setTimes] = useState(1)
  const [retryAfter, setRetryAfter] = useState(1)
  const [latency, setLatency] = useState(s.faults.latencyMs)
  const [offset, setOffset] = useState(s.faults.clockOffsetMs)
  const run = (command: Record<string, unknown>) =>
    api.faults(s.id, command).catch((e: Error) => props.onError(e.message))
  const num = (set: (n: number) => void) => (e: Event) => set(Number((e.target as HTMLInputElement).value))
  return html`<section class="faults" data-service=${s.id}>
    <h3>Faults</h3>
    <p>
      queued: <strong data-pending>${s.faults.pending}</strong> · latency ${s.faults.latencyMs} ms · clock
      offset ${s.faults.clockOffsetMs} ms
    </p>
    <form class="row" onSubmit=${(e: Event) => {
      e.preventDefault()
      void run({ action: 'inject', kind, times, retryAfterSeconds: retryAfter })
    }}>
      <select name="kind" value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value)}>
        <option value="throttle">throttle</option>
        <option value="unavailable">outage</option>
        <option value="drop">drop connection</option>
        <option value="drop-after">drop the answer (write applied)</option>
        <option value="latency">latency (100 ms)</option>
      </select>
      <label>times <input name="times" type="number" min="1" value=${times} onInput=${num(setTimes)} /></label>
      <label>retry after (s) <input name="retryAfter" type="number" min="0" value=${retryAfter} onInput=${num(setRetryAfter)} /></label>
      <button type="submit" name="inject">Inject</button>
      <button type="button" name="clear" onClick=${() => run({ action: 'clear' })}>Clear queue</button>
    </form>
    <form class="row" onSubmit=${(e: Event) => {
      e.preventDefault()
      void run({ action: 'set', latencyMs: latency, clockOffsetMs: offset })
    }}>
      <label>latency (ms) <input name="latency" type="number" min="0" value=${latency} onInput=${num(setLatency)} /></label>
      <label>clock offset (ms) <input name="clockOffset" type="number" value=${offset} onInput=${num(setOffset)} /></label>
      <button type="submit" name="set">Set</button>
    </form>
  </section>`
}
