import { useEffect, useState } from 'preact/hooks'
import { api, type ServiceInfo } from '../api.js'
import { html } from '../html.js'
import { Credentials } from './credentials.js'
import {
  AppleNewsState,
  type AppleNewsStateData,
  CloudKitState,
  type CloudKitStateData,
} from './data-views.js'
import { FaultControls } from './fault-controls.js'
import { ICloudState, type ICloudStateData } from './icloud-state.js'
import { Json, SafeCreativeState, type SafeCreativeStateData } from './state-views.js'

/** One emulator: its test credentials, fault controls and state. */
export function ServicePanel(props: {
  service: ServiceInfo
  version: number
  onError: (message: string) => void
}) {
  const s = props.service
  const [state, setState] = useState<unknown>(undefined)
  const [reload, setReload] = useState(0)
  useEffect(() => {
    if (!s.hasState) return
    api
      .state(s.id)
      .then((r) => setState(r.state))
      .catch((e: Error) => props.onError(e.message))
  }, [s.id, props.version, reload])
  const changed = () => setReload((n) => n + 1)
  const view =
    state === undefined
      ? null
      : s.id === 'safe-creative'
        ? html`<${SafeCreativeState} state=${state as SafeCreativeStateData} onChanged=${changed} onError=${props.onError} />`
        : s.id === 'cloudkit'
          ? html`<${CloudKitState} state=${state as CloudKitStateData} assets=${s.downloads} onError=${props.onError} />`
          : s.id === 'apple-news'
            ? html`<${AppleNewsState} state=${state as AppleNewsStateData} onError=${props.onError} />`
            : s.id === 'icloud'
              ? html`<${ICloudState} state=${state as ICloudStateData} version=${props.version} onChanged=${changed} onError=${props.onError} />`
              : html`<${Json} value=${state} />`
  return html`<section class="service" data-service=${s.id}>
    <h2>${s.label} <small><code>${s.url}</code></small></h2>
    <div class="columns">
      <div>
        <${FaultControls} service=${s} onError=${props.onError} />
        <${Credentials} service=${s} onError=${props.onError} />
      </div>
      <div class="state">${s.hasState ? view : html`<p class="muted">No state browser for ${s.label} yet.</p>`}</div>
    </div>
  </section>`
}
