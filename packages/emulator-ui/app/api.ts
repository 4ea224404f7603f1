// The page's calls to the UI server. The token comes from the URL fragment the terminal printed
// (a fragment is never sent to a server, so it stays out of request lines and referrers).
import type { UiRequest } from '../src/request-view.js'

export type { UiRequest }

/** A service as `/api/overview` lists it. */
export interface ServiceInfo {
  id: string
  label: string
  url: string
  faults: FaultState
  credentials: string[]
  actions: string[]
  views: string[]
  downloads: boolean
  hasState: boolean
}

/** A service's fault settings. */
export interface FaultState {
  latencyMs: number
  clockOffsetMs: number
  pending: number
}

export const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''

/** An error answer of the UI's API. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: {
      'x-sigwire-ui-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const value = (await response.json()) as T & { error?: { code: string; message: string } }
  if (!response.ok)
    throw new ApiError(value.error?.code ?? 'ERROR', value.error?.message ?? response.statusText)
  return value
}

export const api = {
  overview: () => call<{ services: ServiceInfo[]; doctor: boolean }>('GET', '/api/overview'),
  requests: () => call<{ requests: UiRequest[] }>('GET', '/api/requests'),
  har: () => call<unknown>('GET', '/api/har'),
  state: (service: string) => call<{ state: unknown }>('GET', `/api/services/${service}/state`),
  faults: (service: string, command: Record<string, unknown>) =>
    call<{ faults: FaultState }>('POST', `/api/services/${service}/faults`, command),
  reveal: (service: string) =>
    call<{ credentials: Record<string, string | undefined> }>('POST', `/api/services/${service}/reveal`, {}),
  doctor: (input: Record<string, string>) =>
    call<{ report?: unknown; error?: { code: string; message: string } }>('POST', '/api/doctor', input),
  view: <T>(service: string, name: string, query: Record<string, string>) =>
    call<{ view: T }>(
      'GET',
      `/api/services/${service}/views/${encodeURIComponent(name)}?${new URLSearchParams(query)}`,
    ),
  action: (service: string, name: string, input: Record<string, unknown>) =>
    call<{ result: unknown }>('POST', `/api/services/${service}/actions/${encodeURIComponent(name)}`, input),
}

/** Fetches a stored file of a service (the token rides in a header, so an <img> cannot ask for it). */
export async function fetchFile(service: string, query: Record<string, string>): Promise<Blob> {
  const response = await fetch(`/api/services/${service}/download?${new URLSearchParams(query)}`, {
    headers: { 'x-sigwire-ui-token': token },
  })
  if (!response.ok) throw new ApiError('DOWNLOAD_FAILED', `The download failed (${response.status}).`)
  return response.blob()
}

/** Downloads a stored file of a service (an Apple News resource, a Drive file) and saves it. */
export async function download(service: string, query: Record<string, string>, name: string): Promise<void> {
  const url = URL.createObjectURL(await fetchFile(service, query))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  URL.revokeObjectURL(url)
}

/** Opens the live event stream. */
export function events(): EventSource {
  return new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
}
