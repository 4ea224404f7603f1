import type { Table } from '@sigwire/emulator-kit'
import { type AuthLevel, levelAllows } from '../constants.js'
import { signingKeyFor } from '../signing/component-keys.js'
import { type ParamPair, paramValue } from '../signing/params.js'
import { verifySafeCreativeParams } from '../signing/verify.js'
import { checkZtime } from '../signing/ztime.js'
import { COMPONENT_LEVELS } from './catalog.js'
import { missingParameter, scError } from './errors.js'
import type { AuthkeyRecord, SafeCreativeApp } from './state.js'

/** What key checks need. */
export interface KeyContext {
  readonly apps: ReadonlyMap<string, SafeCreativeApp>
  readonly authkeys: Table<AuthkeyRecord>
  /** `false`: signatures are not checked (benchmarks). */
  readonly verify: boolean
  readonly windowMs: number
  now(): number
}

/** The application a request names by `sharedkey`. */
export function appFor(ctx: KeyContext, params: readonly ParamPair[]): SafeCreativeApp {
  const sharedKey = paramValue(params, 'sharedkey')
  if (!sharedKey) throw missingParameter('sharedkey')
  const app = ctx.apps.get(sharedKey)
  if (!app) throw scError('UserKeyNotFound', `Unknown sharedkey ${sharedKey}`)
  return app
}

/** The authkey a request names. */
export function authkeyFor(ctx: KeyContext, params: readonly ParamPair[]): AuthkeyRecord {
  const authkey = paramValue(params, 'authkey')
  if (!authkey) throw missingParameter('authkey')
  const record = ctx.authkeys.get(authkey)
  if (!record) throw scError('UserKeyAuthNotFound', `Unknown authkey ${authkey}`)
  return record
}

/** The private key that must have signed the request (§2.3: the app's or the authkey's). */
export function signingKey(ctx: KeyContext, component: string, params: readonly ParamPair[]): string {
  if (signingKeyFor(component) === 'app') {
    const app = appFor(ctx, params)
    if (component === 'authkey.state' && authkeyFor(ctx, params).sharedKey !== app.sharedKey)
      throw scError('NotAuthorized', 'The authkey belongs to another application.')
    return app.privateKey
  }
  return authkeyFor(ctx, params).privateKey
}

/** The signature (§2) with the adapter's verifier, then ztime within the window (§2.4). */
export function checkSignatureAndTime(ctx: KeyContext, params: readonly ParamPair[], key: string): void {
  if (ctx.verify) {
    if (!paramValue(params, 'signature')) throw missingParameter('signature')
    if (!verifySafeCreativeParams(params, key).ok) throw scError('InvalidSignature', 'Invalid signature')
  }
  const time = checkZtime(paramValue(params, 'ztime'), ctx.now(), ctx.windowMs)
  if (!time.ok) {
    if (time.problem === 'missing') throw missingParameter('ztime')
    throw scError('InvalidTime', time.message)
  }
}

/** The authkey must be authorized at the level the component needs (§3). */
export function requireLevel(record: AuthkeyRecord, component: string, params: readonly ParamPair[]): void {
  if (!record.authorized || !record.level)
    throw scError('NotAuthorized', 'The authkey has not been authorized by its user.')
  let needed: AuthLevel | undefined = Object.hasOwn(COMPONENT_LEVELS, component)
    ? COMPONENT_LEVELS[component]
    : undefined
  if (component === 'work.register' && paramValue(params, 'code')) needed = 'MANAGE'
  if (needed && !levelAllows(record.level, needed))
    throw scError('InsufficientLevel', `${component} needs level ${needed}; the authkey has ${record.level}.`)
}
