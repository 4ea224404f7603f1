import { randomBytes, randomInt } from 'node:crypto'
import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import type { ICloudContext } from '../context.js'
import { answer, iCloudFailure, requestJson } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'

/** One Hide My Email address as `v2/hme/list` shows it (docs/protocols/icloud.md §8.11, §18.2). */
export interface HmeAlias {
  anonymousId: string
  hme: string
  label: string
  note: string
  isActive: boolean
  createTimestamp: number
  origin: 'ON_DEMAND'
  domain: string
  forwardToEmail: string
  recipientMailId: string
}

/** The durable Hide My Email state of one account (table `hme`, keyed by Apple ID). */
export interface HmeState {
  /** Reserved addresses by anonymousId. */
  aliases: Record<string, HmeAlias>
  /** Generated, not yet reserved addresses, with when they were generated. */
  generated: Record<string, number>
}

/** How long a generated address can be reserved (DECISION: Apple's limit is not documented). */
const GENERATED_TTL_MS = 60 * 60_000
const WORDS = ['amber', 'brisk', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'haze', 'ivory', 'juniper']
const NOUNS = ['otter', 'pixel', 'quill', 'raven', 'stone', 'tulip', 'umber', 'vale', 'wren', 'yarrow']

/**
 * Hide My Email (`webservices.premiummailsettings`): `v1/hme/generate|reserve|updateMetaData|deactivate|
 * reactivate|delete` and `v2/hme/list|get`, every change durable before its answer. An address must be
 * generated before it is reserved and deactivated before it is deleted. Undefined for other paths.
 */
export function handleHme(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  const m = /^\/v([12])\/hme\/([A-Za-z]+)$/.exec(path)
  if (!m) return undefined
  const call = `v${m[1]}/${m[2]}`
  const state = loadState(ctx, account)
  const now = ctx.now()
  const body = requestJson<Record<string, unknown>>(request) ?? {}
  const save = () => ctx.tx.put('hme', account.appleId, state)
  const ok = (result: unknown) => answer(200, { success: true, timestamp: Math.floor(now / 1000), result })
  const alias = (): HmeAlias => {
    const id = body.anonymousId
    if (typeof id !== 'string' || !Object.hasOwn(state.aliases, id))
      throw failure(404, 'ALIAS_NOT_FOUND', 'No Hide My Email address has this anonymousId')
    return state.aliases[id]!
  }
  const text = (name: string, required: boolean): string | undefined => {
    const value = body[name]
    if (value === undefined || value === null) {
      if (required) throw failure(400, 'INVALID_INPUT', `${name} is required`)
      return undefined
    }
    if (typeof value !== 'string' || value.length > 256 || (required && value.trim() === ''))
      throw failure(400, 'INVALID_INPUT', `${name} must be text of at most 256 characters`)
    return value
  }
  const method = request.method
  switch (`${method} ${call}`) {
    case 'GET v2/list':
    case 'POST v2/list':
      return ok({
        forwardToEmails: [account.appleId],
        selectedForwardTo: account.appleId,
        hmeEmails: Object.values(state.aliases),
      })
    case 'POST v2/get':
      return ok(alias())
    case 'POST v1/generate': {
      for (const [address, at] of Object.entries(state.generated))
        if (at + GENERATED_TTL_MS <= now) delete state.generated[address]
      const hme = `${pick(WORDS)}.${pick(NOUNS)}-${randomBytes(2).toString('hex').slice(0, 2)}@icloud.com`
      state.generated[hme] = now
      save()
      return ok({ hme })
    }
    case 'POST v1/reserve': {
      const hme = text('hme', true)!
      const label = text('label', true)!
      const note = text('note', false) ?? ''
      const at = Object.hasOwn(state.generated, hme) ? state.generated[hme]! : undefined
      if (at === undefined || at + GENERATED_TTL_MS <= now)
        throw failure(400, 'HME_NOT_GENERATED', 'Generate this address (v1/hme/generate) before reserving it')
      delete state.generated[hme]
      const reserved: HmeAlias = {
        anonymousId: randomBytes(12).toString('hex'),
        hme,
        label,
        note,
        isActive: true,
        createTimestamp: now,
        origin: 'ON_DEMAND',
        domain: '',
        forwardToEmail: account.appleId,
        recipientMailId: '',
      }
      state.aliases[reserved.anonymousId] = reserved
      save()
      return ok(reserved)
    }
    case 'POST v1/updateMetaData': {
      const target = alias()
      target.label = text('label', true)!
      const note = text('note', false)
      if (note !== undefined) target.note = note
      save()
      return ok(target)
    }
    case 'POST v1/deactivate':
    case 'POST v1/reactivate': {
      const target = alias()
      target.isActive = call === 'v1/reactivate'
      save()
      return ok(target)
    }
    case 'POST v1/delete': {
      const target = alias()
      if (target.isActive) throw failure(400, 'HME_ACTIVE', 'Deactivate this address before deleting it')
      delete state.aliases[target.anonymousId]
      save()
      return ok({ anonymousId: target.anonymousId })
    }
    default:
      return undefined
  }
}

function loadState(ctx: ICloudContext, account: EmulatedAccount): HmeState {
  const saved = ctx.data.hme.get(account.appleId)
  if (saved) return saved
  return { aliases: Object.create(null), generated: Object.create(null) }
}

function pick(words: readonly string[]): string {
  return words[randomInt(words.length)]!
}

/** Hide My Email's failure body: `{success:false, error:{errorCode, errorMessage}}` (DECISION: status). */
function failure(status: number, errorCode: string, errorMessage: string) {
  return iCloudFailure(status, { success: false, errorCode, error: { errorCode, errorMessage } })
}
