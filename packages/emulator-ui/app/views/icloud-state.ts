import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { html } from '../html.js'
import { DriveBrowser } from './icloud-drive.js'
import { FindMyMap } from './icloud-findmy.js'
import { PhotosGrid } from './icloud-photos.js'

interface Session {
  id: string
  expiresAt: string
  alive: boolean
  challengeRequired: boolean
}

interface Options {
  twoFactor: string
  advancedDataProtection: boolean
  routes: string[]
}

interface Account {
  appleId: string
  name: string
  secondFactor: string
  region: string
  trustedPhones: Array<{ id: number; number: string; pushMode: string }>
  options?: Options
  sessions?: Session[]
}

/** What the iCloud service's state answers. */
export interface ICloudStateData {
  accounts?: Account[]
  browsers?: boolean
}

const ROUTE_LABELS: Readonly<Record<string, string>> = {
  'trusted-device': 'Code on a trusted device',
  bridge: 'Trusted-device bridge (iOS 26.4+)',
  sms: 'SMS or voice only (no trusted device)',
  'security-key': 'Security key',
  '2sa': 'Legacy two-step (2SA)',
  none: 'None',
}

/** iCloud: accounts with codes, options and sessions, then the Drive, Photos and Find My browsers. */
export function ICloudState(props: {
  state: ICloudStateData
  version: number
  onChanged: () => void
  onError: (m: string) => void
}) {
  const accounts = props.state.accounts ?? []
  const [selected, setSelected] = useState<string | undefined>(undefined)
  const [tab, setTab] = useState('account')
  const appleId = selected && accounts.some((a) => a.appleId === selected) ? selected : accounts[0]?.appleId
  const account = accounts.find((a) => a.appleId === appleId)
  const tabs = props.state.browsers
    ? [
        ['account', 'Account'],
        ['drive', 'Drive'],
        ['photos', 'Photos'],
        ['findmy', 'Find My'],
      ]
    : [['account', 'Account']]
  return html`<div class="icloud">
    <div class="row">
      <label>Account
        <select name="account" value=${appleId} onChange=${(e: Event) => setSelected((e.target as HTMLSelectElement).value)}>
          ${accounts.map((a) => html`<option value=${a.appleId}>${a.appleId}</option>`)}
        </select>
      </label>
      <nav class="subtabs">
        ${tabs.map(
          ([id, label]) =>
            html`<button class=${tab === id ? 'active' : ''} name=${`icloud-${id}`} onClick=${() => setTab(id!)}>${label}</button>`,
        )}
      </nav>
    </div>
    ${
      !account
        ? html`<p class="muted">No account.</p>`
        : tab === 'drive'
          ? html`<${DriveBrowser} key=${account.appleId} appleId=${account.appleId} version=${props.version} onError=${props.onError} />`
          : tab === 'photos'
            ? html`<${PhotosGrid} key=${account.appleId} appleId=${account.appleId} version=${props.version} onError=${props.onError} />`
            : tab === 'findmy'
              ? html`<${FindMyMap} key=${account.appleId} appleId=${account.appleId} version=${props.version} onError=${props.onError} />`
              : html`<${AccountView} key=${account.appleId} account=${account} onChanged=${props.onChanged} onError=${props.onError} />`
    }
  </div>`
}

/** One account: the codes on reveal, the second-factor route and ADP, the sessions. */
function AccountView(props: { account: Account; onChanged: () => void; onError: (m: string) => void }) {
  const a = props.account
  const [codes, setCodes] = useState<Record<string, string | null>>({})
  const act = (name: string, input: Record<string, unknown> = {}) =>
    api.action('icloud', name, { appleId: a.appleId, ...input }).catch((e: Error) => {
      props.onError(e.message)
      return undefined
    })
  const reveal = async (name: string) => {
    const r = await act(name)
    if (r) setCodes({ ...codes, [name]: (r.result as { code: string | null }).code })
  }
  const shown = (name: string) => (name in codes ? (codes[name] ?? 'none issued') : '••••••')
  const options = a.options
  return html`<article class="account" data-apple-id=${a.appleId}>
    <h4>${a.appleId} <small>${a.name} · ${a.secondFactor} · ${a.region}</small></h4>
    <p>Trusted phones: ${a.trustedPhones.map((p) => `${p.number} (${p.pushMode})`).join(', ') || 'none'}</p>
    <dl class="codes">
      <dt>Two-factor code</dt>
      <dd>
        <code data-code>${shown('reveal-code')}</code>
        <button name="reveal-code" onClick=${() => reveal('reveal-code')}>Reveal code</button>
      </dd>
      <dt>Bridge code <small>(what the trusted device shows)</small></dt>
      <dd>
        <code data-bridge-code>${shown('reveal-bridge-code')}</code>
        <button name="reveal-bridge-code" onClick=${() => reveal('reveal-bridge-code')}>Reveal bridge code</button>
      </dd>
    </dl>
    ${
      options
        ? html`<form class="row options" onSubmit=${(e: Event) => e.preventDefault()}>
          <label>Two-factor route
            <select name="two-factor" value=${options.twoFactor}
              onChange=${(e: Event) => act('account-options', { twoFactor: (e.target as HTMLSelectElement).value }).then(props.onChanged)}>
              ${options.routes.map((r) => html`<option value=${r}>${ROUTE_LABELS[r] ?? r}</option>`)}
            </select>
          </label>
          <label>
            <input type="checkbox" name="adp" checked=${options.advancedDataProtection}
              onChange=${(e: Event) => act('account-options', { advancedDataProtection: (e.target as HTMLInputElement).checked }).then(props.onChanged)} />
            Advanced Data Protection
          </label>
        </form>`
        : null
    }
    <h4>Sessions</h4>
    ${
      a.sessions
        ? html`<table class="sessions">
          <thead><tr><th>session</th><th>expires</th><th>state</th><th></th></tr></thead>
          <tbody>
            ${a.sessions.map(
              (s) => html`<tr data-session=${s.id} data-alive=${String(s.alive)}>
                <td><code>${s.id}</code></td>
                <td>${s.expiresAt}</td>
                <td>${s.alive ? (s.challengeRequired ? 'owes its 2SA code' : 'live') : 'expired'}</td>
                <td>${s.alive ? html`<button name="expire-session" onClick=${() => act('expire-session', { id: s.id }).then(props.onChanged)}>Expire</button>` : null}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${a.sessions.length === 0 ? html`<p class="muted">No web session yet (a client signs in with accountLogin).</p>` : null}`
        : null
    }
    <p><button name="expire-sessions" onClick=${() => act('expire-sessions').then(props.onChanged)}>Expire all sessions</button></p>
  </article>`
}
