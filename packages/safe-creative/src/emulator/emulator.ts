import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DurableStore,
  type EmulatorRequest,
  FaultController,
  type Route,
  type RouteAuth,
  type RouteRequest,
  reply,
  startEmulator,
} from '@sigwire/emulator-kit'
import { AUTHKEY_EDIT_PATH, ZTIME_WINDOW_MS } from '../constants.js'
import { diagnoseSafeCreativeRequest } from '../doctor/diagnose.js'
import { paramValue } from '../signing/params.js'
import { firstValues, receivedParams } from '../signing/received-params.js'
import { authorizationUi } from './authorization-ui.js'
import { type AcceptedCall, acceptCall, runComponent } from './components.js'
import { approved, EMULATOR_USER, putAuthkey, randomKey, type ScContext } from './context.js'
import { renderSafeCreativeError, scError } from './errors.js'
import { fileRoutes, removeOrphanFiles } from './file-routes.js'
import type { SafeCreativeEmulator, SafeCreativeEmulatorOptions } from './options.js'
import { type AuthkeyRecord, SAFE_CREATIVE_TABLES, type SafeCreativeApp } from './state.js'
import { uploadServlet } from './uploads.js'
import { exceptionDocument, xmlDocument } from './xml.js'

/** Largest form body of a `/v2/` call: a `work.upload.chunk` carries one 50 KiB chunk in base64 (§4). */
const MAX_FORM_BYTES = 4 * 1024 * 1024
/** Largest file the multipart servlet takes. */
const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024
const XML = 'application/xml; charset=UTF-8'

type Pending = AcceptedCall | { readonly pending: true }

/**
 * Starts a Safe Creative API v2 emulator: one `/v2/` endpoint dispatching on `component`, query and
 * form parameters merged, signatures verified with the adapter's own verifier and the key the
 * component requires, ztime window and single-use nonces enforced, authkeys approved on a plain HTML
 * page, uploads (multipart servlet and chunked), works with paging, fault injection and a durable
 * state directory. `signature.analysis` answers only with `debugSignatures: true`.
 */
export async function startSafeCreativeEmulator(
  options: SafeCreativeEmulatorOptions = {},
): Promise<SafeCreativeEmulator> {
  const faults = new FaultController(options.faults, options.now)
  const store = await DurableStore.open({
    dir: options.stateDir,
    name: 'safe-creative',
    tables: SAFE_CREATIVE_TABLES,
  })
  const meta = store.table<unknown>('meta')
  let apps: readonly SafeCreativeApp[] = options.apps ?? []
  const setup = store.transaction()
  if (apps.length === 0) {
    const dev = (meta.get('dev') as SafeCreativeApp | undefined) ?? {
      sharedKey: randomKey(24),
      privateKey: randomKey(25),
    }
    setup.put('meta', 'dev', dev)
    apps = [dev]
  }
  for (const seed of options.authkeys ?? [])
    putAuthkey(setup, {
      authkey: seed.authkey,
      privateKey: seed.privateKey,
      sharedKey: seed.sharedKey ?? apps[0]!.sharedKey,
      authorized: true,
      level: seed.level ?? 'MANAGE',
      userCode: EMULATOR_USER,
      nonceKey: seed.nonceKey ?? randomKey(25),
    })
  await setup.commit()

  const ownDir =
    options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'sigwire-safe-creative-')) : undefined
  const uploadDir = join(options.stateDir ?? ownDir!, 'safe-creative-uploads')
  await mkdir(uploadDir, { recursive: true, mode: 0o700 })
  const uploads = store.table<{ received?: number }>('uploads')
  // Chunk files of uploads that no longer exist (committed, or never begun) are leftovers.
  for (const name of await readdir(uploadDir))
    if (uploads.get(name)?.received === undefined) await rm(join(uploadDir, name), { force: true })
  const filesDir = join(options.stateDir ?? ownDir!, 'safe-creative-files')
  await mkdir(filesDir, { recursive: true, mode: 0o700 })
  await removeOrphanFiles(store, filesDir)

  let baseUrl = ''
  const ctx: ScContext = {
    apps: new Map(apps.map((a) => [a.sharedKey, a])),
    authkeys: store.table('authkeys'),
    works: store.table('works'),
    tickets: store.table('tickets'),
    uploads: store.table('uploads'),
    meta,
    verify: options.verify !== false,
    windowMs: options.ztimeWindowMs ?? ZTIME_WINDOW_MS,
    now: () => faults.now(),
    pageSize: options.pageSize ?? 10,
    autoApprove: options.autoApprove,
    uploadDir,
    users: store.table('users'),
    downloads: store.table('downloads'),
    filesDir,
    quota: {
      diskBytes: options.quota?.diskBytes ?? 20_000_000_000,
      monthlyRegistrations: options.quota?.monthlyRegistrations ?? 50,
    },
    baseUrl: () => baseUrl,
  }
  const debugSignatures = options.debugSignatures === true
  const errorStatus = options.errorStatus ?? 200
  const date = () => new Date(faults.now()).toUTCString()

  const paramsOf = (request: EmulatorRequest) => {
    try {
      return firstValues(receivedParams(request).pairs)
    } catch {
      throw scError('InvalidParameter', 'Malformed parameter encoding')
    }
  }
  // A GET carries every parameter in its query: it is checked before anything else. A form body is
  // read first (at most MAX_FORM_BYTES), since the signature covers its parameters.
  const api: RouteAuth<Pending> = {
    headers: (request) => {
      const hasBody =
        request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0'
      if (hasBody || request.headers['transfer-encoding'] !== undefined) return { pending: true }
      return acceptCall(ctx, paramsOf(request), debugSignatures)
    },
    body: (request) =>
      'pending' in request.auth ? acceptCall(ctx, paramsOf(request), debugSignatures) : request.auth,
  }
  const apiRoute = (path: string): Route<Pending> => ({
    method: ['GET', 'POST'],
    path,
    auth: api,
    maxBodyBytes: MAX_FORM_BYTES,
    async handle(request) {
      const call = request.auth as AcceptedCall
      if (call.analysis !== undefined) return reply(200, { text: call.analysis, type: XML })
      return reply(200, { text: xmlDocument(await runComponent(ctx, request.tx, call)), type: XML })
    },
  })
  const open = (route: Route<undefined>) => route
  const routes = [
    apiRoute('/v2/'),
    apiRoute('/v2'),
    open({
      method: ['GET', 'POST'],
      path: AUTHKEY_EDIT_PATH,
      auth: 'none',
      maxBodyBytes: 64 * 1024,
      handle: (request) => authorizationUi(ctx, request, { editKey: options.authkeyEditKey ?? 'authkey' }),
    }),
    ...fileRoutes(ctx, paramsOf),
    open({
      method: 'POST',
      path: '/upload',
      auth: 'none',
      maxBodyBytes: { stream: MAX_UPLOAD_BYTES },
      handle: (request: RouteRequest<undefined>) => uploadServlet(ctx, request),
    }),
  ] as Route<unknown>[]

  const diagnose = (request: EmulatorRequest) => {
    let params: ReturnType<typeof firstValues>
    try {
      params = firstValues(receivedParams(request).pairs)
    } catch {
      params = []
    }
    const app = ctx.apps.get(paramValue(params, 'sharedkey') ?? '')
    const record: AuthkeyRecord | undefined = ctx.authkeys.get(paramValue(params, 'authkey') ?? '')
    return diagnoseSafeCreativeRequest({
      request,
      privateKeys: {
        ...(app ? { app: app.privateKey } : {}),
        ...(record ? { authkey: record.privateKey } : {}),
      },
      now: request.receivedAt,
      windowMs: ctx.windowMs,
    })
  }

  const server = await startEmulator(options, {
    routes,
    faults,
    store,
    renderError: (error) => renderSafeCreativeError(error, errorStatus, date()),
    counters: { nonceRejections: (entry) => entry.code === 'InvalidNonceKey' },
    renderFault(kind, retryAfterSeconds) {
      const body = exceptionDocument(
        kind === 'throttle' ? 'TooManyRequests' : 'ServiceUnavailable',
        kind === 'throttle' ? 'Too many requests' : 'Service temporarily unavailable',
      )
      return reply(
        kind === 'throttle' ? 429 : 503,
        { text: body, type: XML },
        { 'retry-after': String(retryAfterSeconds) },
      )
    },
    diagnose: (request, error) => (error.kind === 'auth' ? diagnose(request) : undefined),
    defaultHeaders: () => ({ date: date() }),
    redactTarget: (target) => target.replace(/([?&](?:signature|noncekey|privatekey)=)[^&]*/gi, '$1***'),
    async onClose() {
      if (ownDir) await rm(ownDir, { recursive: true, force: true })
    },
  })
  baseUrl = server.url

  const dev = meta.get('dev') as SafeCreativeApp | undefined
  return {
    url: server.url,
    apiUrl: `${server.url}/v2/`,
    port: server.port,
    certificate: server.certificate,
    faults,
    ...(dev && !options.apps?.length
      ? { dev: { sharedKey: dev.sharedKey, privateKey: dev.privateKey } }
      : {}),
    log: server.log,
    stats: server.stats,
    notices: debugSignatures
      ? [
          'debugSignatures is on: debug-component=signature.analysis answers the expected signature to any caller who knows a sharedkey or an authkey, so that caller can act without the private key. Use it only on a machine of your own.',
        ]
      : [],
    authkeys: () =>
      [...ctx.authkeys.values()].map((r) => ({
        authkey: r.authkey,
        sharedKey: r.sharedKey,
        authorized: r.authorized,
        ...(r.level ? { level: r.level } : {}),
      })),
    works: () =>
      [...ctx.works.values()].map((w) => ({
        code: w.code,
        state: w.state,
        entryDate: w.entryDate,
        fields: { ...w.fields },
        source: w.source,
        ...(w.filename === undefined ? {} : { filename: w.filename, size: w.size ?? 0 }),
      })),
    async deny(authkey) {
      const record = ctx.authkeys.get(authkey)
      if (!record) throw new Error(`Unknown authkey ${authkey}`)
      await store.write((tx) => putAuthkey(tx, { ...record, authorized: false }))
    },
    async approve(authkey, level = 'MANAGE') {
      const record = ctx.authkeys.get(authkey)
      if (!record) throw new Error(`Unknown authkey ${authkey}`)
      await store.write((tx) => putAuthkey(tx, approved(record, level)))
    },
    close: () => server.close(),
  }
}
