import { randomUUID } from 'node:crypto'
import { debug, jsonBody, type TlsOptions } from '@sigwire/core'
import { USER_AGENT } from '../../constants.js'
import { ICloudError } from '../../errors.js'
import type { HostPolicy } from '../../session/host-policy.js'
import { type SessionResponse, serviceErrorCode, throttledError } from '../../session/http.js'
import type { AuthContext } from '../context.js'
import { idmsaHeaders } from '../headers.js'
import type { BridgeInitiation } from '../two-factor-options.js'
import { bridgeError, openPushSocket, type PushSocket } from './push-socket.js'
import { parseStep4Data, strictBase64 } from './step-data.js'

/** Push hosts by `apnsEnvironment` (pyicloud `hsa2_bridge.py` L59-62). */
const PUSH_HOSTS: Readonly<Record<string, string>> = {
  prod: 'websocket.push.apple.com',
  sandbox: 'websocket.sandbox.push.apple.com',
}
/** Step answers that let the flow go on (pyicloud `hsa2_bridge.py` L1626-1630). */
const STEP_OK = new Set([200, 204, 409])

/** How the bridge runs: its per-wait timeout and the TLS settings of the push websocket. */
export interface BridgeSettings {
  /** Longest wait for each answer of the push websocket, ms. */
  readonly timeoutMs: number
  /** TLS of the push websocket (extra CA for an emulator). */
  readonly tls: TlsOptions | undefined
}

/** A bridge started up to the device's prompt: the user now reads the code on the device. */
export interface StartedBridge {
  /** The milestones so far (no secrets). */
  readonly steps: readonly string[]
  /** True when Apple routed this prompt to the classic code check (`txnid` ending in `_W`). */
  readonly legacy: boolean
  /** Runs the key exchange with `code`, validates and closes the socket. Throws `WRONG_CODE` on a mismatch. */
  prove(code: string): Promise<void>
  /** Closes the push websocket (the bridge is then over). */
  close(): void
}

type Payload = Record<string, unknown>

/**
 * Starts the trusted-device bridge (docs/protocols/icloud.md §17): the push websocket, `bridge/step/0`,
 * and the device's first push carrying the salt.
 */
export async function startBridge(
  ctx: AuthContext,
  initiation: BridgeInitiation,
  settings: BridgeSettings,
): Promise<StartedBridge> {
  const steps: string[] = []
  const note = (step: string) => {
    steps.push(step)
    debug('icloud bridge: %s', step)
  }
  const baseUrl = checkedPushUrl(ctx.http.policy, initiation)
  const redactor = ctx.http.transport.redactor
  let socket: PushSocket | undefined
  try {
    socket = await openPushSocket(
      {
        baseUrl,
        origin: new URL(ctx.endpoints.authUrl).origin,
        userAgent: USER_AGENT,
        tls: settings.tls,
        timeoutMs: settings.timeoutMs,
        signal: ctx.signal,
        note,
      },
      initiation.apnsTopic,
    )
    redactor.addSecret(socket.token)
    let sessionUUID = `${randomUUID()}-${Math.floor(Date.now() / 1000)}`
    // Step 0 goes out as soon as the token is known; waiting for a push first stalls the flow
    // (pyicloud `hsa2_bridge.py` L1117-1126).
    await postStep(ctx, initiation, 0, { sessionUUID, ptkn: socket.token }, note)
    const prompt = readPush(await socket.nextPush(), sessionUUID)
    sessionUUID = sessionOf(prompt) ?? sessionUUID
    note(`push: nextStep=${String(prompt.nextStep)}`)
    const salt = typeof prompt.salt === 'string' ? strictBase64(prompt.salt) : undefined
    const txnid = typeof prompt.txnid === 'string' ? prompt.txnid : undefined
    const legacy = txnid?.endsWith('_W') === true
    if (!legacy && (String(prompt.nextStep) !== '2' || !salt))
      throw bridgeError('The trusted device answered the bridge without a step-2 salt; sign in again.')
    const open = socket
    return {
      steps,
      legacy,
      close: () => open.close(),
      prove: async (code) => {
        try {
          await prove(ctx, initiation, open, { sessionUUID, salt: salt!, prompt }, code, note)
        } catch (error) {
          throw withSteps(error, steps)
        } finally {
          open.close()
        }
      },
    }
  } catch (error) {
    socket?.close()
    throw withSteps(error, steps)
  }
}

async function prove(
  ctx: AuthContext,
  initiation: BridgeInitiation,
  socket: PushSocket,
  session: { sessionUUID: string; salt: Uint8Array; prompt: Payload },
  code: string,
  note: (step: string) => void,
): Promise<void> {
  const { sessionUUID, salt, prompt } = session
  // Loaded here, not at the top: the P-256 code costs every iCloud client about 4 MiB of memory
  // (`node -e` RSS with and without) and only a bridge sign-in uses it.
  const {
    bridgePayloadKeys,
    confirmationsEqual,
    openBridgePayload,
    proverConfirmation,
    proverKeys,
    proverShare,
    randomBridgeScalar,
    stretchBridgeCode,
    verifierConfirmation,
  } = await import('./pake.js')
  // Each push may carry new idmsdata/akdata; the next step returns the latest (pyicloud L268-282).
  let extra = passThrough(prompt)
  const step = (nextStep: number, data: string) =>
    postStep(ctx, initiation, nextStep, { sessionUUID, data, ptkn: socket.token, nextStep, ...extra }, note)
  const scalars = await stretchBridgeCode(code, salt)
  const x = randomBridgeScalar()
  const X = proverShare(x, scalars.w0)
  await step(2, b64(X))
  const answer = readPush(await socket.nextPush(), sessionUUID)
  note(`push: nextStep=${String(answer.nextStep)}`)
  extra = passThrough(answer)
  const parsed = typeof answer.data === 'string' ? parseStep4Data(answer.data) : undefined
  if (String(answer.nextStep) !== '4' || !parsed)
    throw bridgeError(
      'The trusted device answered step 2 with something other than its share; sign in again.',
    )
  let keys: ReturnType<typeof proverKeys>
  try {
    keys = proverKeys(scalars, x, X, parsed.verifierShare)
  } catch {
    throw bridgeError("The trusted device's share is not a valid P-256 point; sign in again.")
  }
  if (!confirmationsEqual(verifierConfirmation(keys, X), parsed.verifierConfirmation)) {
    note('device confirmation does not match the code')
    throw new ICloudError({
      code: 'WRONG_CODE',
      message:
        'The code does not match the one shown on the trusted device. Sign in again and type the code the device shows now.',
    })
  }
  await step(4, b64(proverConfirmation(keys, parsed.verifierShare)))
  const final = readPush(await socket.nextPush(), sessionUUID)
  note(`push: nextStep=${String(final.nextStep)}`)
  extra = passThrough(final)
  const sealed = typeof final.encryptedCode === 'string' ? strictBase64(final.encryptedCode) : undefined
  const finalStep = String(final.nextStep)
  if ((finalStep !== '4' && finalStep !== '6') || !sealed)
    throw bridgeError('The trusted device did not send the encrypted validation code; sign in again.')
  const validation = openBridgePayload(bridgePayloadKeys(keys.sharedKey).verifierKey, sealed)
  if (validation === undefined)
    throw bridgeError('The encrypted validation code from the trusted device does not open; sign in again.')
  ctx.http.transport.redactor.addSecret(validation)
  const validated = await ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.authUrl}/bridge/code/validate`,
    purpose: 'bridge/code/validate',
    headers: bridgeHeaders(ctx, initiation),
    body: jsonBody({ sessionUUID, code: validation }),
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  note(`bridge/code/validate: ${validated.status}`)
  if (validated.status === 412)
    throw new ICloudError({
      code: 'WRONG_CODE',
      status: 412,
      message: 'Apple refused the validation code the trusted device sent; sign in again.',
    })
  if (!STEP_OK.has(validated.status)) throw stepError(validated, 'bridge/code/validate')
  // The page then closes the bridge with "done" on the step the device named (pyicloud L1363-1379).
  await step(finalStep === '6' ? 6 : 4, Buffer.from('done').toString('base64'))
}

async function postStep(
  ctx: AuthContext,
  initiation: BridgeInitiation,
  nextStep: number,
  body: Payload,
  note: (step: string) => void,
): Promise<void> {
  const purpose = `bridge/step/${nextStep}`
  const response = await ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.authUrl}/bridge/step/${nextStep}`,
    purpose,
    headers: bridgeHeaders(ctx, initiation),
    body: jsonBody(body),
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  note(`${purpose}: ${response.status}`)
  if (!STEP_OK.has(response.status)) throw stepError(response, purpose)
}

function bridgeHeaders(ctx: AuthContext, initiation: BridgeInitiation): Record<string, string | undefined> {
  return {
    ...idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'mfa'),
    ...(initiation.sourceAppId ? { 'x-apple-app-id': initiation.sourceAppId } : {}),
  }
}

function stepError(response: SessionResponse, purpose: string): ICloudError {
  if (response.status === 503 || response.status === 429) return throttledError(response, purpose)
  const serviceCode = serviceErrorCode(response.json())
  return bridgeError(
    `Apple refused ${purpose} (HTTP ${response.status}${serviceCode ? `, ${serviceCode}` : ''}): the bridge session may have expired; sign in again, or ask for an SMS code.`,
    { status: response.status, ...(serviceCode ? { serviceCode } : {}) },
  )
}

/** The device's push as JSON, checked to belong to this bridge session and not to be an error push. */
function readPush(text: string, sessionUUID: string): Payload {
  let payload: unknown
  try {
    payload = JSON.parse(text)
  } catch {
    throw bridgeError('The trusted device sent a push that is not JSON; sign in again.')
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    throw bridgeError('The trusted device sent a push that is not a JSON object; sign in again.')
  const p = payload as Payload
  const session = sessionOf(p)
  if (session !== undefined && session !== sessionUUID && p.sessionUUID !== undefined)
    throw bridgeError('A push for another bridge session arrived; sign in again.')
  if (p.ec !== undefined && p.ec !== 0 && p.ec !== null)
    throw bridgeError(
      `The trusted device ended the bridge with error ${String(p.ec)} (declined, or the session expired); sign in again.`,
      { serviceCode: String(p.ec) },
    )
  return p
}

/** The session id a push names: `sessionUUID`, or `flowid` on the newer pushes (pyicloud L145-147, L220-222). */
function sessionOf(payload: Payload): string | undefined {
  const id = payload.sessionUUID ?? payload.flowid
  return typeof id === 'string' && id.trim() !== '' ? id : undefined
}

/** `idmsdata` and `akdata` go back with every step as the device sent them (pyicloud L302-318). */
function passThrough(prompt: Payload): Payload {
  const out: Payload = {}
  if (typeof prompt.idmsdata === 'string') out.idmsdata = prompt.idmsdata
  if (prompt.akdata !== undefined && prompt.akdata !== null)
    out.akdata = typeof prompt.akdata === 'object' ? JSON.stringify(prompt.akdata) : prompt.akdata
  return out
}

/**
 * The push websocket's base URL, checked against the host allowlist: it carries a push token, so its
 * host passes the same policy as every other call (`ws:` only to loopback with `allowInsecureLoopback`).
 */
export function checkedPushUrl(policy: HostPolicy, initiation: BridgeInitiation): string {
  const socketUrl = pushBaseUrl(initiation)
  const checked = policy.check(socketUrl.replace(/^ws/, 'http'), 'push websocket')
  return `${socketUrl.startsWith('ws://') ? 'ws' : 'wss'}://${checked.url.host}`
}

/** The push websocket's base URL from the page's bridge data (pyicloud `hsa2_bridge.py` L804-821). */
export function pushBaseUrl(initiation: BridgeInitiation): string {
  const given = initiation.webSocketUrl
  if (given) {
    if (/^wss?:\/\//i.test(given)) return new URL(given).origin.replace(/^http/, 'ws')
    if (given.includes('://'))
      throw bridgeError(`The bridge's websocket URL uses an unknown scheme; refusing to connect.`)
    return `wss://${given.split('/')[0]}`
  }
  const host = initiation.apnsEnvironment ? PUSH_HOSTS[initiation.apnsEnvironment] : undefined
  if (!host)
    throw bridgeError('The sign-in page names no push websocket host for the bridge; ask for an SMS code.')
  return `wss://${host}`
}

/** `error` with the bridge's milestones in `details.bridgeSteps`. */
export function withSteps(error: unknown, steps: readonly string[]): unknown {
  if (!(error instanceof ICloudError)) return error
  return new ICloudError({
    code: error.code,
    message: error.message,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.serviceCode === undefined ? {} : { serviceCode: error.serviceCode }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    details: { ...error.details, bridgeSteps: [...steps] },
    cause: error,
  })
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64')
}
