import { render } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, events, type ServiceInfo, token, type UiRequest } from './api.js'
import { html } from './html.js'
import { DoctorPage } from './views/doctor-page.js'
import { RequestDetail } from './views/request-detail.js'
import { type LogFilter, RequestLog } from './views/request-log.js'
import { ServicePanel } from './views/service-panel.js'

const MAX_ROWS = 5000

/** The log as loaded, plus whatever the stream delivered meanwhile, in arrival order. */
function merge(loaded: UiRequest[], live: UiRequest[]): UiRequest[] {
  const keys = new Set(loaded.map((r) => r.key))
  const all = [...loaded, ...live.filter((r) => !keys.has(r.key))]
  return all.sort((a, b) => a.at.localeCompare(b.at)).slice(-MAX_ROWS)
}

function App() {
  const [services, setServices] = useState<ServiceInfo[]>([])
  const [requests, setRequests] = useState<UiRequest[]>([])
  const [tab, setTab] = useState('requests')
  const [selected, setSelected] = useState<string | undefined>(undefined)
  const [filter, setFilter] = useState<LogFilter>({ service: '', verdict: '', status: '', finding: '' })
  const [error, setError] = useState<string | undefined>(undefined)
  const [live, setLive] = useState(false)
  const [version, setVersion] = useState(0)
  const [doctor, setDoctor] = useState(false)

  useEffect(() => {
    if (!token) {
      setError('This page needs the token from the URL sigwire emulate printed (…/#token=…).')
      return
    }
    const refreshServices = () =>
      api.overview().then((o) => {
        setServices(o.services)
        setDoctor(o.doctor)
      })
    refreshServices().catch((e: Error) => setError(e.message))
    const stream = events()
    // On every (re)connection, reload the log: entries that arrived while the stream was down are in it.
    stream.onopen = () => {
      setLive(true)
      api.requests().then(
        (r) => setRequests((live) => merge(r.requests, live)),
        () => {},
      )
    }
    stream.onerror = () => setLive(false)
    stream.addEventListener('request', (event) => {
      const r = JSON.parse((event as MessageEvent<string>).data) as UiRequest
      setRequests((all) => (all.some((x) => x.key === r.key) ? all : [...all, r].slice(-MAX_ROWS)))
      setVersion((n) => n + 1)
    })
    stream.addEventListener('faults', (event) => {
      const { service, faults } = JSON.parse((event as MessageEvent<string>).data)
      setServices((all) => all.map((s) => (s.id === service ? { ...s, faults } : s)))
    })
    stream.addEventListener('state', () => setVersion((n) => n + 1))
    return () => stream.close()
  }, [])

  // Pending fault counts change as requests take them: refresh them with the log.
  useEffect(() => {
    if (version > 0 && token)
      api.overview().then(
        (o) => setServices(o.services),
        () => {},
      )
  }, [version])

  const shown = useMemo(() => [...requests].reverse(), [requests])
  const request = requests.find((r) => r.key === selected)
  const exportHar = async () => {
    const har = await api.har()
    const url = URL.createObjectURL(new Blob([JSON.stringify(har, null, 2)], { type: 'application/json' }))
    const a = document.createElement('a')
    a.href = url
    a.download = 'sigwire-emulators.har'
    a.click()
    URL.revokeObjectURL(url)
  }
  const service = services.find((s) => s.id === tab)
  return html`<div class="app">
    <header class="top">
      <h1>sigwire emulators</h1>
      <nav>
        <button class=${tab === 'requests' ? 'active' : ''} name="tab-requests" onClick=${() => setTab('requests')}>Requests</button>
        ${services.map(
          (s) =>
            html`<button class=${tab === s.id ? 'active' : ''} name=${`tab-${s.id}`} onClick=${() => setTab(s.id)}>${s.label}</button>`,
        )}
        <button class=${tab === 'doctor' ? 'active' : ''} name="tab-doctor" onClick=${() => setTab('doctor')}>Doctor</button>
      </nav>
      <span class=${live ? 'live on' : 'live'}>${live ? 'live' : 'offline'}</span>
    </header>
    ${error ? html`<p class="error" role="alert">${error} <button onClick=${() => setError(undefined)}>dismiss</button></p>` : null}
    <main>
      ${
        tab === 'requests'
          ? html`<div class="requests-view">
            <${RequestLog}
              requests=${shown}
              services=${services.map((s) => s.id)}
              filter=${filter}
              selected=${selected}
              onFilter=${setFilter}
              onSelect=${setSelected}
              onExport=${exportHar}
            />
            ${request ? html`<${RequestDetail} request=${request} services=${services} onClose=${() => setSelected(undefined)} />` : null}
          </div>`
          : tab === 'doctor'
            ? html`<${DoctorPage} available=${doctor} />`
            : service
              ? html`<${ServicePanel} key=${service.id} service=${service} version=${version} onError=${setError} />`
              : null
      }
    </main>
  </div>`
}

render(html`<${App} />`, document.getElementById('root')!)
