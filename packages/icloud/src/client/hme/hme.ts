import { type CallOptions, textBody } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import type { Raw } from '../raw.js'
import { callOptions, type ServiceCaller } from '../service-caller.js'

/** A Hide My Email address (docs/protocols/icloud.md §8.11, §18.2). */
export interface HmeAlias {
  /** The address's id: what update, deactivate, reactivate and delete take. */
  readonly anonymousId: string
  /** The address itself (`…@icloud.com`). */
  readonly address: string
  /** The label the owner gave it. */
  readonly label: string
  /** The owner's note. */
  readonly note: string
  /** False once deactivated: mail to it is no longer forwarded. */
  readonly active: boolean
  /** When it was reserved, when the service says. */
  readonly createdAt: Date | undefined
  /** Where its mail goes, when the service says. */
  readonly forwardTo: string | undefined
  /** The whole object as the service sent it. */
  readonly raw: Readonly<Record<string, unknown>>
}

/** Label and note of an address. */
export interface HmeMetadata extends CallOptions {
  /** A label (required by the service; what the address is for). */
  readonly label: string
  /** A note. */
  readonly note?: string
}

/** Hide My Email (`webservices.premiummailsettings`). */
export interface HmeApi {
  /** `GET {premiummailsettings}/v2/hme/list`: every address, one at a time. */
  aliases(options?: CallOptions): AsyncIterableIterator<HmeAlias>
  /** One address by anonymousId or by address, from the list; `NOT_FOUND` when none matches. */
  get(idOrAddress: string, options?: CallOptions): Promise<HmeAlias>
  /** `POST v1/hme/generate`: a new address to reserve (it is not kept until reserved). */
  generate(options?: CallOptions): Promise<string>
  /** `POST v1/hme/reserve`: keeps a generated address, with a label and an optional note. */
  reserve(address: string, metadata: HmeMetadata): Promise<HmeAlias>
  /** `POST v1/hme/updateMetaData`: a new label (and note). */
  update(idOrAddress: string, metadata: HmeMetadata): Promise<HmeAlias>
  /** `POST v1/hme/deactivate`: stops forwarding; the address stays listed. */
  deactivate(idOrAddress: string, options?: CallOptions): Promise<HmeAlias>
  /** `POST v1/hme/reactivate`: forwards again. */
  reactivate(idOrAddress: string, options?: CallOptions): Promise<HmeAlias>
  /** `POST v1/hme/delete`: removes a deactivated address for good (an active one is refused). */
  remove(idOrAddress: string, options?: CallOptions): Promise<void>
}

/** An address of `hmeEmails`, typed. */
export function toHmeAlias(raw: Raw): HmeAlias {
  const created = Number(raw?.createTimestamp)
  return {
    anonymousId: String(raw?.anonymousId ?? ''),
    address: String(raw?.hme ?? ''),
    label: String(raw?.label ?? ''),
    note: String(raw?.note ?? ''),
    active: raw?.isActive !== false,
    createdAt: Number.isFinite(created) && created > 0 ? new Date(created) : undefined,
    forwardTo: typeof raw?.forwardToEmail === 'string' ? raw.forwardToEmail : undefined,
    raw: raw ?? {},
  }
}

/** The {@link HmeApi} of a session. */
export class HmeService implements HmeApi {
  constructor(readonly caller: ServiceCaller) {}

  async *aliases(options: CallOptions = {}): AsyncIterableIterator<HmeAlias> {
    yield* await this.#list(options)
  }

  async get(idOrAddress: string, options: CallOptions = {}): Promise<HmeAlias> {
    if (typeof idOrAddress !== 'string' || idOrAddress.trim() === '')
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message:
          'Name a Hide My Email address by its address or its anonymousId, as hme.aliases() lists them.',
        details: { argument: 'address' },
      })
    const wanted = idOrAddress.trim().toLowerCase()
    const found = (await this.#list(options)).find(
      (a) => a.anonymousId === idOrAddress || a.address.toLowerCase() === wanted,
    )
    if (found) return found
    throw new ICloudError({
      code: 'NOT_FOUND',
      message: `No Hide My Email address is ${JSON.stringify(idOrAddress.slice(0, 80))}; list them with hme.aliases() (sigwire icloud hme ls).`,
      details: { kind: 'address' },
    })
  }

  async generate(options: CallOptions = {}): Promise<string> {
    const raw = await this.#call('POST', '/v1/hme/generate', undefined, options)
    const hme = raw?.result?.hme
    if (typeof hme !== 'string' || !hme.includes('@'))
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: 'v1/hme/generate answered without an address (result.hme).',
      })
    return hme
  }

  async reserve(address: string, metadata: HmeMetadata): Promise<HmeAlias> {
    if (typeof address !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(address))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: 'address must be an address hme.generate() returned.',
        details: { argument: 'address' },
      })
    const { label, note } = checkMetadata(metadata)
    const raw = await this.#call(
      'POST',
      '/v1/hme/reserve',
      { hme: address, label, note: note ?? '' },
      metadata,
    )
    return this.#result(raw, 'reserve')
  }

  async update(idOrAddress: string, metadata: HmeMetadata): Promise<HmeAlias> {
    const { label, note } = checkMetadata(metadata)
    const alias = await this.get(idOrAddress, metadata)
    const raw = await this.#call(
      'POST',
      '/v1/hme/updateMetaData',
      { anonymousId: alias.anonymousId, label, ...(note === undefined ? {} : { note }) },
      metadata,
    )
    return this.#result(raw, 'updateMetaData')
  }

  async deactivate(idOrAddress: string, options: CallOptions = {}): Promise<HmeAlias> {
    return this.#toggle(idOrAddress, 'deactivate', options)
  }

  async reactivate(idOrAddress: string, options: CallOptions = {}): Promise<HmeAlias> {
    return this.#toggle(idOrAddress, 'reactivate', options)
  }

  async remove(idOrAddress: string, options: CallOptions = {}): Promise<void> {
    const alias = await this.get(idOrAddress, options)
    if (alias.active)
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `${alias.address} is active: deactivate it first (hme.deactivate, sigwire icloud hme off), then delete it.`,
        details: { argument: 'address' },
      })
    await this.#call('POST', '/v1/hme/delete', { anonymousId: alias.anonymousId }, options)
  }

  async #toggle(idOrAddress: string, action: 'deactivate' | 'reactivate', options: CallOptions) {
    const alias = await this.get(idOrAddress, options)
    const raw = await this.#call('POST', `/v1/hme/${action}`, { anonymousId: alias.anonymousId }, options)
    const result = raw?.result
    // The answer may carry the whole address or only its id (pyicloud's CLI reads only anonymousId).
    if (result && typeof result === 'object' && typeof result.hme === 'string') return toHmeAlias(result)
    return { ...alias, active: action === 'reactivate' }
  }

  async #list(options: CallOptions): Promise<HmeAlias[]> {
    const raw = await this.#call('GET', '/v2/hme/list', undefined, options)
    const list = raw?.result?.hmeEmails
    return (Array.isArray(list) ? list : []).map(toHmeAlias)
  }

  #result(raw: Raw, call: string): HmeAlias {
    const result = raw?.result
    if (!result || typeof result !== 'object' || typeof result.anonymousId !== 'string')
      throw new ICloudError({
        code: 'INVALID_RESPONSE',
        message: `v1/hme/${call} answered without the address (result.anonymousId).`,
      })
    return toHmeAlias(result)
  }

  async #call(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<Raw> {
    const raw = await this.caller.call<Raw>('premiummailsettings', method, path, {
      ...(body === undefined
        ? {}
        : { body: textBody(JSON.stringify(body)), contentType: 'application/json' }),
      ...callOptions(options),
    })
    if (raw?.success === false)
      throw new ICloudError({
        code: 'SERVICE_ERROR',
        message: `Hide My Email ${path} failed${raw?.error?.errorMessage ? `: ${String(raw.error.errorMessage).slice(0, 200)}` : '.'}`,
        ...(raw?.error?.errorCode ? { serviceCode: String(raw.error.errorCode) } : {}),
      })
    return raw
  }
}

function checkMetadata(metadata: HmeMetadata): { label: string; note: string | undefined } {
  const label = metadata?.label
  if (typeof label !== 'string' || label.trim() === '' || label.length > 256)
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: 'label must be text of 1 to 256 characters (what the address is for).',
      details: { argument: 'label' },
    })
  const note = metadata.note
  if (note !== undefined && (typeof note !== 'string' || note.length > 256))
    throw new ICloudError({
      code: 'INVALID_ARGUMENT',
      message: 'note must be text of at most 256 characters.',
      details: { argument: 'note' },
    })
  return { label, note }
}
