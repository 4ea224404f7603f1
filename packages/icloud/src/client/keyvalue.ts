import { type CallOptions, textBody } from '@sigwire/core'
import type { Raw } from './raw.js'
import { callOptions, type ServiceCaller } from './service-caller.js'

/** The preferences of one app in the key-value store. */
export interface KeyValueApp {
  /** The web app the settings belong to (`app-id`: `account`, `contacts`, `calendar`, `mail`...). */
  readonly appId: string
  /** The app's `registry-version`, an opaque version text (`FT=-@RU=<guid>@S=<n>`). */
  readonly registryVersion: string
  /** The app's settings by name (`locale`, `timezone`, `defaultCalendar`...), each value as text. */
  readonly keys: Readonly<Record<string, string>>
}

/** The answer of `json/sync` (docs/protocols/icloud.md §8.9). */
export interface KeyValueSync {
  /** When iCloud answered, in epoch milliseconds (e.g. `1458910490003`). */
  readonly timestamp: number
  /** iCloud's `status`; 0 in every recorded answer. */
  readonly status: number
  /** The settings of each web app. */
  readonly apps: readonly KeyValueApp[]
}

/** Key-value store (`webservices.keyvalue`): the web app's UI preferences. */
export interface KeyValueApi {
  /** `POST {keyvalue}/json/sync`. */
  sync(options?: CallOptions): Promise<KeyValueSync>
}

/** The {@link KeyValueApi} of a session. */
export class KeyValueService implements KeyValueApi {
  constructor(readonly caller: ServiceCaller) {}

  async sync(options: CallOptions = {}): Promise<KeyValueSync> {
    const raw = await this.caller.call<Raw>('keyvalue', 'POST', '/json/sync', {
      body: textBody('{}'),
      contentType: 'text/plain;charset=UTF-8',
      ...callOptions(options),
    })
    return {
      timestamp: Number(raw?.timestamp ?? 0),
      status: Number(raw?.status ?? 0),
      apps: (Array.isArray(raw?.apps) ? raw.apps : []).map((a: Raw) => ({
        appId: String(a['app-id'] ?? ''),
        registryVersion: String(a['registry-version'] ?? ''),
        keys: Object.fromEntries(
          (Array.isArray(a.keys) ? a.keys : []).map((k: Raw) => [String(k.name), String(k.data ?? '')]),
        ),
      })),
    }
  }
}
