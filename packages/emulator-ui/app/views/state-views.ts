import { api } from '../api.js'
import { html } from '../html.js'

interface Authkey {
  authkey: string
  sharedKey: string
  authorized: boolean
  level?: string
}

/** What the Safe Creative service's state answers. */
export interface SafeCreativeStateData {
  apps?: Array<{ sharedKey: string }>
  authkeys?: Authkey[]
  works?: unknown[]
}

/** Safe Creative: apps, authkeys with approve, works. */
export function SafeCreativeState(props: {
  state: SafeCreativeStateData
  onChanged: () => void
  onError: (m: string) => void
}) {
  const decide = (name: 'approve' | 'deny', authkey: string) =>
    api
      .action('safe-creative', name, { authkey, level: 'MANAGE' })
      .then(props.onChanged)
      .catch((e: Error) => props.onError(e.message))
  const authkeys: Authkey[] = props.state.authkeys ?? []
  return html`<div>
    <h3>Apps</h3>
    <ul>${(props.state.apps ?? []).map((a: { sharedKey: string }) => html`<li><code>${a.sharedKey}</code></li>`)}</ul>
    <h3>Authkeys</h3>
    <table class="authkeys">
      <thead><tr><th>authkey</th><th>app</th><th>state</th><th></th></tr></thead>
      <tbody>
        ${authkeys.map(
          (k) => html`<tr data-authkey=${k.authkey}>
            <td><code>${k.authkey}</code></td>
            <td><code>${k.sharedKey}</code></td>
            <td>${k.authorized ? `approved (${k.level})` : 'not authorized'}</td>
            <td>
              ${k.authorized ? null : html`<button name="approve" onClick=${() => decide('approve', k.authkey)}>Approve (MANAGE)</button>`}
              <button name="deny" onClick=${() => decide('deny', k.authkey)}>${k.authorized ? 'Revoke' : 'Deny'}</button>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${authkeys.length === 0 ? html`<p class="muted">No authkey yet (a client creates one with authkey.create).</p>` : null}
    <h3>Works</h3>
    <${Json} value=${props.state.works ?? []} />
  </div>`
}

/** Any other state, pretty-printed. */
export function Json(props: { value: unknown }) {
  return html`<pre class="json">${JSON.stringify(props.value, null, 2)}</pre>`
}
