import { useState } from 'preact/hooks'
import { api, type ServiceInfo } from '../api.js'
import { html } from '../html.js'

/** The emulator's own test credentials: names only, until a person asks to reveal them. */
export function Credentials(props: { service: ServiceInfo; onError: (message: string) => void }) {
  const [values, setValues] = useState<Record<string, string | undefined> | undefined>(undefined)
  if (props.service.credentials.length === 0) return null
  const reveal = () =>
    api
      .reveal(props.service.id)
      .then((r) => setValues(r.credentials))
      .catch((e: Error) => props.onError(e.message))
  return html`<section class="credentials">
    <h3>Test credentials</h3>
    <dl>
      ${props.service.credentials.map(
        (name) =>
          html`<dt>${name}</dt><dd data-credential=${name}>${values ? html`<code class="pre">${values[name] ?? ''}</code>` : '••••••••'}</dd>`,
      )}
    </dl>
    ${
      values
        ? html`<button onClick=${() => setValues(undefined)}>Hide</button>`
        : html`<button name="reveal" onClick=${reveal}>Reveal</button>`
    }
  </section>`
}
