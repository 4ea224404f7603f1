import { useState } from 'preact/hooks'
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

interface Account {
  appleId: string
  name: string
  secondFactor: string
  region: string
  trustedPhones: Array<{ id: number; number: string; pushMode: string }>
}

/** What the iCloud service's state answers. */
export interface ICloudStateData {
  accounts?: Account[]
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

/** iCloud: accounts, trusted phones, the current code (on reveal), expire sessions. */
export function ICloudState(props: {
  state: ICloudStateData
  onChanged: () => void
  onError: (m: string) => void
}) {
  const [codes, setCodes] = useState<Record<string, string | null>>({})
  const act = (name: string, appleId: string) =>
    api.action('icloud', name, { appleId }).catch((e: Error) => {
      props.onError(e.message)
      return undefined
    })
  return html`<div>
    <h3>Accounts</h3>
    ${(props.state.accounts ?? []).map(
      (a) => html`<article class="account" data-apple-id=${a.appleId}>
        <h4>${a.appleId} <small>${a.name} · ${a.secondFactor} · ${a.region}</small></h4>
        <p>Trusted phones: ${a.trustedPhones.map((p) => `${p.number} (${p.pushMode})`).join(', ') || 'none'}</p>
        <p>
          Current verification code:
          <code data-code>${a.appleId in codes ? (codes[a.appleId] ?? 'none issued') : '••••••'}</code>
          <button name="reveal-code" onClick=${async () => {
            const r = await act('reveal-code', a.appleId)
            if (r) setCodes({ ...codes, [a.appleId]: (r.result as { code: string | null }).code })
          }}>Reveal code</button>
          <button name="expire-sessions" onClick=${() => act('expire-sessions', a.appleId).then(props.onChanged)}>Expire sessions</button>
        </p>
      </article>`,
    )}
  </div>`
}

/** Any other state, pretty-printed. */
export function Json(props: { value: unknown }) {
  return html`<pre class="json">${JSON.stringify(props.value, null, 2)}</pre>`
}
