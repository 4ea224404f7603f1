import { createHash, randomInt } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { fromBase64, receivedHeader, toHex, utf8Encode } from '@sigwire/core'
import {
  type EmulatorRequest,
  FaultController,
  type FaultOptions,
  type RunningServer,
  type ServerOptions,
  StateFile,
  startEmulatorServer,
} from '@sigwire/emulator-kit'
import {
  AUTH_LEVELS,
  AUTHKEY_EDIT_PATH,
  type AuthLevel,
  levelAllows,
  SIGNATURE_ANALYSIS,
  ZTIME_WINDOW_MS,
} from '../constants.js'
import { analyzeSignature, renderSignatureAnalysisXml } from '../signing/analysis.js'
import { AUTHKEY_EDIT_COMPONENT, signingKeyFor } from '../signing/component-keys.js'
import { type ParamPair, paramValue } from '../signing/params.js'
import { firstValues, receivedParams } from '../signing/received-params.js'
import { verifySafeCreativeParams } from '../signing/verify.js'
import { checkZtime } from '../signing/ztime.js'
import { COMPONENT_LEVELS, LICENSES, WORK_LANGUAGES, WORK_TYPES } from './catalog.js'
import { parseMultipart } from './multipart.js'
import { authorizationPage, resultPage } from './page.js'
import {
  type AuthkeyRecord,
  initialState,
  type SafeCreativeApp,
  type SafeCreativeState,
  type WorkRecord,
} from './state.js'
import { errorDocument, exceptionDocument, type XmlNode, xmlDocument } from './xml.js'

/** Options of {@link startSafeCreativeEmulator}. */
export interface SafeCreativeEmulatorOptions extends ServerOptions {
  /** Application key pairs (`sigwire emulate --config` shape). None: development credentials are generated. */
  apps?: readonly SafeCreativeApp[]
  /** Directory where state (authkeys, works, uploads, dev credentials) survives a restart. */
  stateDir?: string
  /** Faults to start with. */
  faults?: FaultOptions
  /** The server's clock in epoch ms (the fault clock offset is added). Default `Date.now`. */
  now?: () => number
  /** ztime window in ms. Default 5000 (§2.4). */
  ztimeWindowMs?: number
  /** `false` skips signature checks (benchmarks). ztime, nonces, keys and levels are still checked. Default true. */
  verify?: boolean
  /** Which key verifies the authkey.edit URL (§2.3 conflict). Default `authkey`. */
  authkeyEditKey?: 'authkey' | 'app' | 'either'
  /** Answer `debug-component=signature.analysis` like the arena. Default true. */
  signatureAnalysis?: boolean
  /** HTTP status of `<error>` answers. Default 200, as Safe Creative sends them (§5). */
  errorStatus?: number
  /** Items per page of paginated answers. Default 10. */
  pageSize?: number
  /** Approve every new authkey at once at this level (no page visit). Default off. */
  autoApprove?: AuthLevel
  /** Authkeys that exist from the start, already authorized (recorded requests, vectors). */
  authkeys?: ReadonlyArray<{
    authkey: string
    privateKey: string
    /** The app it belongs to. Default: the first app. */
    sharedKey?: string
    /** Default `MANAGE`. */
    level?: AuthLevel
    /** The current noncekey. Default: random. */
    nonceKey?: string
  }>
}

/** A running Safe Creative emulator. */
export interface SafeCreativeEmulator {
  /** Base URL, e.g. `http://127.0.0.1:53124`. */
  readonly url: string
  /** The API endpoint: `${url}/v2/`. */
  readonly apiUrl: string
  readonly port: number
  /** PEM of the self-signed certificate when serving TLS. */
  readonly certificate: string | undefined
  /** Live fault controls. */
  readonly faults: FaultController
  /** Development credentials, when no app was configured. */
  readonly dev?: { readonly sharedKey: string; readonly privateKey: string }
  /** Approves an authkey as its user would on the authorization page. */
  approve(authkey: string, level?: AuthLevel): Promise<void>
  /** Stops the server and flushes state. */
  close(): Promise<void>
}

/** The user every authorization page approves as. */
const EMULATOR_USER = '1000000000001'

class ScError extends Error {
  constructor(
    readonly errorId: string,
    message?: string,
  ) {
    super(message ?? errorId)
  }
}

/**
 * Starts a Safe Creative API v2 emulator: one `/v2/` endpoint dispatching on `component`, query and
 * form parameters merged, signatures verified with the adapter's own verifier and the key the
 * component requires, ztime window and single-use nonces enforced, `signature.analysis` answered as the
 * arena does, authkeys approved on a plain HTML page, uploads (multipart servlet and chunked), works
 * with paging, fault injection and a state directory.
 */
export async function startSafeCreativeEmulator(
  options: SafeCreativeEmulatorOptions = {},
): Promise<SafeCreativeEmulator> {
  const faults = new FaultController(options.faults)
  const state = await StateFile.open<SafeCreativeState>(options.stateDir, 'safe-creative', initialState)
  let apps: readonly SafeCreativeApp[] = options.apps ?? []
  if (apps.length === 0) {
    state.data.dev ??= { sharedKey: randomKey(24), privateKey: randomKey(25) }
    state.changed()
    apps = [state.data.dev]
  }
  const appsByKey = new Map(apps.map((a) => [a.sharedKey, a]))
  for (const seed of options.authkeys ?? []) {
    state.data.authkeys[seed.authkey] = {
      authkey: seed.authkey,
      privateKey: seed.privateKey,
      sharedKey: seed.sharedKey ?? apps[0]!.sharedKey,
      authorized: true,
      level: seed.level ?? 'MANAGE',
      userCode: EMULATOR_USER,
      nonceKey: seed.nonceKey ?? randomKey(25),
    }
  }
  const now = () => (options.now ? options.now() + faults.clockOffsetMs : faults.now())
  const windowMs = options.ztimeWindowMs ?? ZTIME_WINDOW_MS
  const pageSize = options.pageSize ?? 10
  const errorStatus = options.errorStatus ?? 200
  const uploadsInProgress = new Map<string, { hash: ReturnType<typeof createHash>; received: number }>()
  let server: RunningServer | undefined

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = 'application/xml; charset=UTF-8',
  ) => {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      date: new Date(now()).toUTCString(),
    })
    res.end(body)
  }
  const xml = (res: ServerResponse, node: XmlNode) => send(res, 200, xmlDocument(node))

  const approve = (record: AuthkeyRecord, level: AuthLevel) => {
    record.authorized = true
    record.level = level
    record.userCode = EMULATOR_USER
    state.changed()
  }

  // ---- key lookup and verification ----------------------------------------------------------------

  const appFor = (params: readonly ParamPair[]): SafeCreativeApp => {
    const sharedKey = paramValue(params, 'sharedkey')
    if (!sharedKey) throw new ScError('RestParameterNotFound', 'Required parameter not found: sharedkey')
    const app = appsByKey.get(sharedKey)
    if (!app) throw new ScError('UserKeyNotFound', `Unknown sharedkey ${sharedKey}`)
    return app
  }
  const authkeyFor = (params: readonly ParamPair[]): AuthkeyRecord => {
    const authkey = paramValue(params, 'authkey')
    if (!authkey) throw new ScError('RestParameterNotFound', 'Required parameter not found: authkey')
    const record = state.data.authkeys[authkey]
    if (!record) throw new ScError('UserKeyAuthNotFound', `Unknown authkey ${authkey}`)
    return record
  }

  /** The private key that must have signed the request. */
  const signingKey = (component: string, params: readonly ParamPair[]): string => {
    const kind = signingKeyFor(component)
    if (kind === 'app') {
      const app = appFor(params)
      if (component === 'authkey.state') {
        const record = authkeyFor(params)
        if (record.sharedKey !== app.sharedKey)
          throw new ScError('NotAuthorized', 'The authkey belongs to another application.')
      }
      return app.privateKey
    }
    return authkeyFor(params).privateKey
  }

  const checkSignatureAndTime = (params: readonly ParamPair[], key: string) => {
    if (options.verify !== false) {
      if (!paramValue(params, 'signature'))
        throw new ScError('RestParameterNotFound', 'Required parameter not found: signature')
      const result = verifySafeCreativeParams(params, key)
      if (!result.ok) throw new ScError('InvalidSignature', 'Invalid signature')
    }
    const time = checkZtime(paramValue(params, 'ztime'), now(), windowMs)
    if (!time.ok) {
      if (time.problem === 'missing')
        throw new ScError('RestParameterNotFound', 'Required parameter not found: ztime')
      throw new ScError('InvalidTime', time.message)
    }
  }

  const requireLevel = (record: AuthkeyRecord, component: string, params: readonly ParamPair[]) => {
    if (!record.authorized || !record.level)
      throw new ScError('NotAuthorized', 'The authkey has not been authorized by its user.')
    let needed = COMPONENT_LEVELS[component]
    if (component === 'work.register' && paramValue(params, 'code')) needed = 'MANAGE'
    if (needed && !levelAllows(record.level, needed))
      throw new ScError(
        'InsufficientLevel',
        `${component} needs level ${needed}; the authkey has ${record.level}.`,
      )
  }

  // ---- components -----------------------------------------------------------------------------------

  const workXml = (work: WorkRecord, privateView: boolean): XmlNode => {
    const f = work.fields
    const license = LICENSES.find(([code, , , url]) => code === f.license || url === f.license)
    const worktype = WORK_TYPES.find(([code]) => code === f.worktype)
    return [
      'work',
      [
        ['code', work.code],
        ['title', f.title],
        ['entrydate', work.entryDate],
        ['excerpt', f.excerpt],
        ['tags', f.tags],
        ...(privateView ? ([['state', work.state]] as XmlNode[]) : []),
        [
          'authors',
          [
            [
              'author',
              [
                ['code', work.userCode],
                ['name', 'Emulator User'],
              ],
            ],
          ],
        ],
        ...(license
          ? ([
              [
                'license',
                [
                  ['code', license[0]],
                  ['name', license[1]],
                  ['shortname', license[2]],
                  ['human-url', license[3]],
                ],
              ],
            ] as XmlNode[])
          : []),
        ['human-url', `${server?.url}/${work.code}`],
        ['allowdownload', f.allowdownload === '1' ? 'true' : 'false'],
        ...(worktype
          ? ([
              [
                'worktype',
                [
                  ['code', worktype[0]],
                  ['name', worktype[1]],
                ],
              ],
            ] as XmlNode[])
          : []),
        ...(privateView
          ? ([
              ['languagecode', f.language],
              [
                'mimetype',
                work.filename ? mimeType(work.filename) : work.source === 'text' ? 'text/plain' : undefined,
              ],
              ['registrypublic', f.registrypublic === '0' ? 'false' : 'true'],
            ] as XmlNode[])
          : []),
      ],
    ]
  }

  const listPage = <T>(
    items: readonly T[],
    params: readonly ParamPair[],
    name: string,
    map: (item: T) => XmlNode,
  ): XmlNode => {
    const page = Math.max(1, Number(paramValue(params, 'page') ?? '1') || 1)
    const slice = items.slice((page - 1) * pageSize, page * pageSize)
    return [
      'listpage',
      [
        ['recordtotal', items.length],
        ['pagetotal', Math.ceil(items.length / pageSize)],
        ['list', slice.map((item) => [name, (map(item) as XmlNode)[1]] as XmlNode)],
      ],
    ]
  }

  const register = (record: AuthkeyRecord, params: readonly ParamPair[]): XmlNode => {
    const noncekey = paramValue(params, 'noncekey')
    if (!noncekey) throw new ScError('RestParameterNotFound', 'Required parameter not found: noncekey')
    if (noncekey !== record.nonceKey)
      throw new ScError('InvalidNonceKey', 'The noncekey is wrong or was already used.')
    const ticket = paramValue(params, 'uploadticket')
    const text = paramValue(params, 'text')
    const url = paramValue(params, 'url')
    const sources = [ticket, text, url].filter((s) => s !== undefined).length
    if (sources !== 1) throw new ScError('InvalidParameter', 'Give exactly one of uploadticket, text, url.')
    const title = paramValue(params, 'title')
    if (!title) throw new ScError('RestParameterNotFound', 'Required parameter not found: title')
    const code = paramValue(params, 'code')
    if (code) throw new ScError('InvalidParameter', 'Updating registered works is not emulated.')
    let source: WorkRecord['source']
    let file: { filename?: string; size?: number; checksum?: string } = {}
    if (ticket !== undefined) {
      const t = state.data.tickets[ticket]
      if (!t || t.authkey !== record.authkey) throw new ScError('InvalidParameter', 'Unknown upload ticket.')
      if (t.used) throw new ScError('InvalidParameter', 'The upload ticket was already used.')
      t.used = true
      source = 'upload'
      file = { filename: t.filename, size: t.size, checksum: t.checksum }
    } else if (text !== undefined) {
      source = 'text'
      file = { size: utf8Encode(text).byteLength, checksum: createHash('sha1').update(text).digest('hex') }
    } else {
      source = 'url'
      const size = Number(paramValue(params, 'size'))
      const checksum = paramValue(params, 'checksum') ?? ''
      const filename = paramValue(params, 'filename')
      if (!filename || !Number.isSafeInteger(size) || !/^[0-9a-f]{40}$/.test(checksum))
        throw new ScError('InvalidParameter', 'url registrations need filename, size and a SHA-1 checksum.')
      file = { filename, size, checksum }
    }
    // The nonce is spent by a registration (§2.5): rotate it.
    record.nonceKey = randomKey(25)
    const fields: Record<string, string> = {}
    for (const name of [
      'title',
      'excerpt',
      'tags',
      'license',
      'worktype',
      'language',
      'profile',
      'allowdownload',
      'registrypublic',
      'final',
    ])
      if (paramValue(params, name) !== undefined) fields[name] = paramValue(params, name)!
    state.data.workSequence += 1
    const date = new Date(now())
    const work: WorkRecord = {
      code: `${date.toISOString().slice(2, 10).replace(/-/g, '')}${String(state.data.workSequence).padStart(7, '0')}`,
      userCode: record.userCode ?? EMULATOR_USER,
      entryDate: `${date.toISOString().slice(0, 19)}Z`,
      state: source === 'url' ? 'PROCESSING' : 'REGISTERED',
      fields,
      source,
      ...file,
    }
    state.data.works.push(work)
    state.changed()
    return ['workregistry', [['code', work.code]]]
  }

  const component = (name: string, params: readonly ParamPair[]): XmlNode => {
    switch (name) {
      case 'ztime':
        return ['ztime', now()]
      case 'version':
        return ['version', '2.0-sigwire-emulator']
      case 'work.types':
        return [
          'worktypes',
          WORK_TYPES.map(
            ([code, n]) =>
              [
                'worktype',
                [
                  ['code', code],
                  ['name', n],
                ],
              ] as XmlNode,
          ),
        ]
      case 'work.languages':
        return [
          'worklanguages',
          WORK_LANGUAGES.map(
            ([code, n]) =>
              [
                'language',
                [
                  ['code', code],
                  ['name', n],
                ],
              ] as XmlNode,
          ),
        ]
      case 'work.get': {
        const work = state.data.works.find((w) => w.code === paramValue(params, 'code'))
        if (!work || work.fields.registrypublic === '0') throw new ScError('WorkNotFound')
        return workXml(work, false)
      }
      case 'authkey.create': {
        const app = appFor(params)
        const record: AuthkeyRecord = {
          authkey: randomKey(25),
          privateKey: randomKey(25),
          sharedKey: app.sharedKey,
          authorized: false,
          nonceKey: randomKey(25),
        }
        state.data.authkeys[record.authkey] = record
        if (options.autoApprove) approve(record, options.autoApprove)
        state.changed()
        return [
          'authkeycreate',
          [
            ['authkey', record.authkey],
            ['privatekey', record.privateKey],
          ],
        ]
      }
      case 'authkey.state': {
        const record = authkeyFor(params)
        if (!record.authorized)
          return [
            'authkeystate',
            [
              ['authkey', record.authkey],
              ['authorized', 'false'],
            ],
          ]
        return [
          'authkeystate',
          [
            ['authkey', record.authkey],
            ['authorized', 'true'],
            ['level', record.level],
            ['usercode', record.userCode],
            ['noncekey', record.nonceKey],
          ],
        ]
      }
    }
    // Every other emulated component acts for an authorized authkey.
    const record = authkeyFor(params)
    requireLevel(record, name, params)
    const own = state.data.works.filter((w) => w.userCode === record.userCode)
    switch (name) {
      case 'work.list': {
        const stateFilter = paramValue(params, 'state')
        const items = own.filter((w) => !stateFilter || w.state === stateFilter).reverse()
        return listPage(items, params, 'work', (w) => [
          'work',
          [
            ['code', w.code],
            ['title', w.fields.title],
            ['entrydate', w.entryDate],
            ['state', w.state],
          ],
        ])
      }
      case 'work.get.private': {
        const work = own.find((w) => w.code === paramValue(params, 'code'))
        if (!work) throw new ScError('WorkNotFound')
        return workXml(work, true)
      }
      case 'work.delete': {
        const index = state.data.works.findIndex(
          (w) => w.code === paramValue(params, 'code') && w.userCode === record.userCode,
        )
        if (index === -1) throw new ScError('WorkNotFound')
        state.data.works.splice(index, 1)
        state.changed()
        return ['restvalueresponse', [['state', 'ready']]]
      }
      case 'user.profiles':
        return [
          'profiles',
          [
            [
              'profile',
              [
                ['code', '1'],
                ['name', 'Default profile'],
              ],
            ],
          ],
        ]
      case 'user.licenses':
        return listPage(LICENSES, params, 'license', ([code, n, short, url]) => [
          'license',
          [
            ['code', code],
            ['name', n],
            ['shortname', short],
            ['human-url', url],
          ],
        ])
      case 'work.register':
        return register(record, params)
      case 'work.upload.lookup': {
        const filename = paramValue(params, 'filename')
        if (!filename) throw new ScError('RestParameterNotFound', 'Required parameter not found: filename')
        const bypost = paramValue(params, 'bypost') === 'true'
        const uploadId = randomKey(20)
        state.data.uploads[uploadId] = { authkey: record.authkey, filename, bypost }
        state.changed()
        return [
          'workuploadlookup',
          [
            ['uploadurl', bypost ? `${server!.url}/upload` : server!.url],
            ['uploadid', uploadId],
          ],
        ]
      }
      case 'work.upload.begin': {
        const uploadId = ownUpload(params, record)
        uploadsInProgress.set(uploadId, { hash: createHash('sha1'), received: 0 })
        return ['restvalueresponse', [['state', 'ready']]]
      }
      case 'work.upload.chunk': {
        const uploadId = ownUpload(params, record)
        const progress = uploadsInProgress.get(uploadId)
        if (!progress) throw new ScError('InvalidRequest', 'Call work.upload.begin first.')
        if (Number(paramValue(params, 'offset')) !== progress.received)
          throw new ScError('InvalidParameter', `offset must be ${progress.received}.`)
        let data: Uint8Array
        try {
          data = fromBase64(paramValue(params, 'data') ?? '')
        } catch {
          throw new ScError('InvalidParameter', 'data is not base64.')
        }
        progress.hash.update(data)
        progress.received += data.byteLength
        return ['workuploadchunk', [['state', 'continue']]]
      }
      case 'work.upload.commit': {
        const uploadId = ownUpload(params, record)
        const progress = uploadsInProgress.get(uploadId)
        if (!progress) throw new ScError('InvalidRequest', 'Call work.upload.begin first.')
        if (Number(paramValue(params, 'length')) !== progress.received)
          throw new ScError(
            'InvalidParameter',
            `length ${paramValue(params, 'length')} is not the ${progress.received} bytes received.`,
          )
        const checksum = progress.hash.digest('hex')
        if (paramValue(params, 'checksum') !== checksum)
          throw new ScError('InvalidParameter', 'checksum is not the SHA-1 of the bytes received.')
        uploadsInProgress.delete(uploadId)
        return ['workuploadcommit', [['uploadticket', issueTicket(uploadId, progress.received, checksum)]]]
      }
    }
    throw new ScError('InvalidRestComponent', `${name} is not emulated.`)
  }

  const ownUpload = (params: readonly ParamPair[], record: AuthkeyRecord): string => {
    const uploadId = paramValue(params, 'uploadid') ?? ''
    const upload = state.data.uploads[uploadId]
    if (!upload || upload.authkey !== record.authkey)
      throw new ScError('InvalidParameter', 'Unknown uploadid.')
    return uploadId
  }

  const issueTicket = (uploadId: string, size: number, checksum: string): string => {
    const upload = state.data.uploads[uploadId]!
    const ticket = randomKey(32)
    state.data.tickets[ticket] = {
      authkey: upload.authkey,
      filename: upload.filename,
      size,
      checksum,
      used: false,
    }
    delete state.data.uploads[uploadId]
    state.changed()
    return ticket
  }

  // ---- routes ---------------------------------------------------------------------------------------

  const api = (request: EmulatorRequest, res: ServerResponse) => {
    let params: ParamPair[]
    try {
      params = firstValues(receivedParams(request).pairs)
    } catch {
      send(res, errorStatus, errorDocument('InvalidParameter', 'Malformed parameter encoding'))
      return
    }
    const name = paramValue(params, 'component')
    try {
      if (!name) throw new ScError('RestParameterNotFound', 'Required parameter not found: component')
      const kind = signingKeyFor(name)
      if (kind === undefined || name === AUTHKEY_EDIT_COMPONENT)
        throw new ScError('InvalidRestComponent', `Unknown component ${name}`)
      if (kind !== 'none') {
        const key = signingKey(name, params)
        if (
          options.signatureAnalysis !== false &&
          paramValue(params, 'debug-component') === SIGNATURE_ANALYSIS
        ) {
          send(
            res,
            200,
            renderSignatureAnalysisXml(analyzeSignature(params, key, paramValue(params, 'signature') ?? '')),
          )
          return
        }
        checkSignatureAndTime(params, key)
      }
      xml(res, component(name, params))
    } catch (error) {
      if (error instanceof ScError)
        send(
          res,
          errorStatus,
          errorDocument(error.errorId, error.message === error.errorId ? undefined : error.message),
        )
      else send(res, 500, exceptionDocument('RuntimeException', (error as Error).message))
    }
  }

  const uploadServlet = (request: EmulatorRequest, res: ServerResponse) => {
    const boundary = /boundary=("?)([^";]+)\1/.exec(receivedHeader(request, 'content-type') ?? '')?.[2]
    const parts = boundary ? parseMultipart(request.body, boundary) : undefined
    const uploadId = parts?.find((p) => p.name === 'uploadid')
    const file = parts?.find((p) => p.name === 'file')
    const upload = uploadId ? state.data.uploads[Buffer.from(uploadId.data).toString('utf8')] : undefined
    if (!parts || !uploadId || !file || !upload?.bypost) {
      send(
        res,
        errorStatus,
        errorDocument('InvalidParameter', 'Expected multipart fields uploadid and file for a bypost upload.'),
      )
      return
    }
    const checksum = toHex(createHash('sha1').update(file.data).digest())
    send(
      res,
      200,
      issueTicket(Buffer.from(uploadId.data).toString('utf8'), file.data.byteLength, checksum),
      'text/plain; charset=UTF-8',
    )
  }

  /** The authorization page: GET shows it, POST (the page's form) approves or denies. */
  const authorizationUi = (request: EmulatorRequest, res: ServerResponse) => {
    const params = firstValues(receivedParams(request).pairs)
    const html = (status: number, body: string) => send(res, status, body, 'text/html; charset=UTF-8')
    const authkey = paramValue(params, 'authkey') ?? ''
    const record = state.data.authkeys[authkey]
    const level = paramValue(params, 'level') as AuthLevel | undefined
    const app = appsByKey.get(paramValue(params, 'sharedkey') ?? '')
    if (!record || !app || record.sharedKey !== app.sharedKey || !level || !AUTH_LEVELS.includes(level)) {
      html(
        400,
        resultPage('Invalid authorization link', 'The link names an unknown authkey, application or level.'),
      )
      return
    }
    const keys =
      options.authkeyEditKey === 'app'
        ? [app.privateKey]
        : options.authkeyEditKey === 'either'
          ? [record.privateKey, app.privateKey]
          : [record.privateKey]
    const signedParams = params.filter(([n]) => n !== 'decision')
    if (options.verify !== false && !keys.some((key) => verifySafeCreativeParams(signedParams, key).ok)) {
      html(
        403,
        resultPage(
          'Invalid signature',
          'The authorization link is not signed with the authkey’s private key.',
        ),
      )
      return
    }
    // The link is opened by a person, possibly minutes later: its ztime is not held to the API window.
    const bringBack = app.bringBackUrl
    const done = (title: string, text: string) => {
      if (bringBack) {
        res.writeHead(303, { location: bringBack, 'content-length': 0 })
        res.end()
      } else html(200, resultPage(title, text))
    }
    if (request.method === 'POST') {
      const decision = paramValue(params, 'decision')
      if (decision === 'approve') {
        approve(record, level)
        done('Authorized', `The application may now act for you at level ${level}.`)
      } else {
        record.authorized = false
        state.changed()
        html(200, resultPage('Not authorized', 'You did not authorize the application.'))
      }
      return
    }
    if (record.authorized && record.level && levelAllows(record.level, level)) {
      done('Already authorized', `The application already has level ${record.level}.`)
      return
    }
    html(
      200,
      authorizationPage({ action: AUTHKEY_EDIT_PATH, params: signedParams, level, sharedKey: app.sharedKey }),
    )
  }

  server = await startEmulatorServer(options, {
    faults,
    async onClose() {
      await state.flush()
    },
    handle(request, res) {
      const path = request.url.pathname
      if (path === '/v2/' || path === '/v2') return api(request, res)
      if (path === AUTHKEY_EDIT_PATH) return authorizationUi(request, res)
      if (path === '/upload' && request.method === 'POST') return uploadServlet(request, res)
      send(
        res,
        404,
        resultPage('Not found', `${path} is not a Safe Creative endpoint.`),
        'text/html; charset=UTF-8',
      )
    },
    renderFault(kind, retryAfterSeconds, _request, res) {
      const body = exceptionDocument(
        kind === 'throttle' ? 'TooManyRequests' : 'ServiceUnavailable',
        kind === 'throttle' ? 'Too many requests' : 'Service temporarily unavailable',
      )
      res.writeHead(kind === 'throttle' ? 429 : 503, {
        'content-type': 'application/xml; charset=UTF-8',
        'retry-after': String(retryAfterSeconds),
        'content-length': Buffer.byteLength(body),
      })
      res.end(body)
    },
  })

  const running = server
  return {
    url: running.url,
    apiUrl: `${running.url}/v2/`,
    port: running.port,
    certificate: running.certificate,
    faults,
    ...(state.data.dev && !options.apps?.length
      ? { dev: { sharedKey: state.data.dev.sharedKey, privateKey: state.data.dev.privateKey } }
      : {}),
    async approve(authkey, level = 'MANAGE') {
      const record = state.data.authkeys[authkey]
      if (!record) throw new Error(`Unknown authkey ${authkey}`)
      approve(record, level)
    },
    close: () => running.close(),
  }
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** A random lower-case alphanumeric key like Safe Creative's (25 characters for authkeys). */
function randomKey(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)]
  return out
}

function mimeType(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase()
  return (
    {
      txt: 'text/plain',
      md: 'text/markdown',
      pdf: 'application/pdf',
      png: 'image/png',
      jpg: 'image/jpeg',
      mp3: 'audio/mpeg',
    }[ext ?? ''] ?? 'application/octet-stream'
  )
}
