import {
  type BytesToken,
  type Clock,
  type HttpRequest,
  lazyTrace,
  type RequestSigner,
  type SignOutput,
  SigwireError,
  type TokenTrace,
  traceTokens,
  utf8Decode,
} from '@sigwire/core'
import { ANALYSIS_SECRET_TEXT, isExcludedParam } from '../constants.js'
import { safeCreativeError } from '../errors.js'
import { NONCE_COMPONENTS, type SigningKeyKind, signingKeyFor } from './component-keys.js'
import { type ParamPair, type ParamsInput, toParamPairs } from './params.js'
import { formDecode } from './received-params.js'
import { insertSorted, SafeCreativeStringToSign, sha1Signature } from './string-to-sign.js'

/** An authorized user's authkey and the private key returned with it by `authkey.create`. */
export interface AuthkeyCredentials {
  /** The authkey (public). */
  readonly authkey: string
  /** Its private key; Safe Creative shows it once and never again: persist it. */
  readonly privateKey: string
}

/** What a Safe Creative signer is created from. */
export interface SafeCreativeCredentials {
  /** The application's shared key. */
  readonly sharedKey: string
  /** The application's private key (Safe Creative's "userkey" private key). */
  readonly privateKey: string
  /** The user's authorization, for components signed with the authkey's key (§2.3). */
  readonly authkey?: AuthkeyCredentials
}

/** The result of signing a parameter set. */
export interface SignedParams {
  /** Which key signed (`none` for public components, which carry no ztime or signature). */
  readonly keyKind: SigningKeyKind
  /** Every parameter to send: the caller's, any identity parameter added, `ztime`, `signature`. */
  readonly params: readonly ParamPair[]
  /** The parameters the signer added (send them along with the caller's). */
  readonly added: readonly ParamPair[]
  /** The signature (lower-case hex SHA-1), '' for public components. */
  readonly signature: string
  /** The signed tokens, private key masked the way Safe Creative's analysis masks it. */
  readonly trace: readonly TokenTrace[]
}

/** Options of {@link SafeCreativeSigner.signParams}. */
export interface SignParamsOptions {
  /** The component when the parameters have none (the `api-ui/authkey.edit` URL: `authkey.edit`). */
  readonly component?: string
}

/** A Safe Creative signer: picks the key per component, adds `ztime`, signs, never changes a body byte. */
export interface SafeCreativeSigner extends RequestSigner {
  /** The application's shared key. */
  readonly sharedKey: string
  /** The authkey this signer signs for, if any. */
  readonly authkey: string | undefined
  /** Signs decoded parameters at `nowMs` (epoch ms). */
  signParams(params: ParamsInput, nowMs: number, options?: SignParamsOptions): SignedParams
  /** The string-to-sign tokens of a request (query and form body merged) at `date`. */
  tokens(request: HttpRequest, date: Date): BytesToken[]
  /**
   * Signs a request: its query and form-body parameters are merged and signed; `ztime` and `signature`
   * (and `sharedkey`/`authkey` when missing) come back as query pairs, so the body is never touched.
   */
  sign(request: HttpRequest, clock: Clock): SignOutput
  /** A signer for the same application with another user's authorization. */
  withAuthkey(authkey: AuthkeyCredentials | undefined): SafeCreativeSigner
}

/**
 * Creates a signer from the application's key pair and, optionally, a user's authkey. Keys are checked
 * once here: an empty key throws `EMPTY_PRIVATE_KEY`.
 */
export function createSafeCreativeSigner(credentials: SafeCreativeCredentials): SafeCreativeSigner {
  const sharedKey = required(credentials?.sharedKey, 'sharedKey', 'INVALID_ARGUMENT')
  const appKey = required(credentials.privateKey, "application's privateKey", 'EMPTY_PRIVATE_KEY')
  const auth = credentials.authkey
    ? {
        authkey: required(credentials.authkey.authkey, 'authkey', 'INVALID_ARGUMENT'),
        privateKey: required(credentials.authkey.privateKey, "authkey's privateKey", 'EMPTY_PRIVATE_KEY'),
      }
    : undefined

  /**
   * Everything signing needs, in one pass over the parameters: the checks (in the order and with the
   * messages of the pairwise scan in {@link checkParamsSlowly}, which runs only when something is wrong),
   * the key, the added pairs and one sorted copy of all pairs. No string is built here.
   */
  const prepare = (params: readonly ParamPair[], nowMs: number, options: SignParamsOptions): Prepared => {
    let component = options.component
    let hasNonce = false
    let suspect = false
    // First values of the identity parameters (a repeated name throws below anyway).
    let givenSharedKey: string | undefined
    let givenAuthkey: string | undefined
    // One copy, sorted by insertion as it is filled (stable: equal names keep their order; n is small).
    const sorted: ParamPair[] = []
    for (const pair of params) {
      const name = pair[0]
      if (name === 'signature' || name === 'ztime') suspect = true
      else if (name === 'component') {
        if (component === undefined) component = pair[1]
      } else if (name === 'noncekey') hasNonce = pair[1] !== ''
      else if (name === 'sharedkey') givenSharedKey ??= pair[1]
      else if (name === 'authkey') givenAuthkey ??= pair[1]
      if (insertSorted(sorted, pair)) suspect = true
    }
    // A forbidden or repeated name: the pairwise scan throws the error the caller would have got first.
    if (suspect) checkParamsSlowly(params)
    if (component === undefined || component === '')
      throw safeCreativeError(
        'MISSING_COMPONENT',
        'The parameters have no "component"; it names the operation and decides which private key signs.',
      )
    const kind = signingKeyFor(component)
    if (kind === undefined)
      throw safeCreativeError(
        'UNKNOWN_COMPONENT',
        `Component ${JSON.stringify(component)} is not in sigwire's signing-key table, so it cannot tell which private key signs it.`,
        { component },
      )
    if (kind === 'none') return { kind, added: [] }
    const added: ParamPair[] = []
    let key = appKey
    if (kind === 'app') {
      identity(givenSharedKey, 'sharedkey', sharedKey, added)
    } else {
      if (!auth)
        throw safeCreativeError(
          'AUTHKEY_REQUIRED',
          `${component} is signed with an authorized authkey's private key; authorize a user first (authkey.create, then the authkey.edit page).`,
          { component },
        )
      key = auth.privateKey
      identity(givenAuthkey, 'authkey', auth.authkey, added)
      // The authorization page also names the application (§3 step 2).
      if (component === 'authkey.edit') identity(givenSharedKey, 'sharedkey', sharedKey, added)
    }
    if (!hasNonce && NONCE_COMPONENTS.has(component))
      throw safeCreativeError(
        'INVALID_ARGUMENT',
        `${component} needs a fresh single-use noncekey from authkey.state (§2.5).`,
        { parameter: 'noncekey' },
      )
    added.push(['ztime', String(Math.trunc(nowMs))])
    // The added names are not among the parameters (identity adds only missing ones; ztime is refused).
    for (const pair of added) insertSorted(sorted, pair)
    return { kind, added, key, sorted }
  }

  const trace = (key: string, sorted: readonly ParamPair[]) =>
    // The tokens encode every token: defer them with the trace.
    lazyTrace(() => traceTokens(stringToSign(key, sorted).tokens(), { secretText: ANALYSIS_SECRET_TEXT }))

  const signParams = (input: ParamsInput, nowMs: number, options: SignParamsOptions = {}): SignedParams => {
    const params = validPairs(input)
    const { kind, added, key, sorted } = prepare(params, nowMs, options)
    if (key === undefined || sorted === undefined)
      return { keyKind: kind, params: params.slice(), added, signature: '', trace: [] }
    const signature = sha1Signature(key, sorted)
    added.push(['signature', signature])
    return { keyKind: kind, params: params.concat(added), added, signature, trace: trace(key, sorted) }
  }

  return {
    sharedKey,
    authkey: auth?.authkey,
    signParams,
    tokens(request, date) {
      const { key, sorted } = prepare(paramsOf(request), date.getTime(), {})
      return key === undefined || sorted === undefined ? [] : stringToSign(key, sorted).tokens()
    },
    sign(request, clock) {
      const { added, key, sorted } = prepare(paramsOf(request), clock.now().getTime(), {})
      if (key === undefined || sorted === undefined) return { query: [], trace: [] }
      added.push(['signature', sha1Signature(key, sorted)])
      return { query: added, trace: trace(key, sorted) }
    },
    withAuthkey(authkey) {
      return createSafeCreativeSigner({
        sharedKey,
        privateKey: appKey,
        ...(authkey ? { authkey } : {}),
      })
    },
  }
}

/** What {@link createSafeCreativeSigner}'s prepare step finds; `key` and `sorted` are absent for public components. */
interface Prepared {
  readonly kind: SigningKeyKind
  readonly added: ParamPair[]
  readonly key?: string
  /** Every parameter and every added pair (not the signature), sorted by name; excluded names kept. */
  readonly sorted?: ParamPair[]
}

/**
 * The caller's parameters as pairs. A list of valid string pairs is used as it is (no copy: this runs
 * for every signature); anything else goes through {@link toParamPairs}, which converts or throws.
 */
function validPairs(input: ParamsInput): readonly ParamPair[] {
  if (Array.isArray(input)) {
    let valid = true
    for (let i = 0; i < input.length; i++) {
      const pair: unknown = input[i]
      if (
        !Array.isArray(pair) ||
        pair.length !== 2 ||
        typeof pair[0] !== 'string' ||
        pair[0] === '' ||
        typeof pair[1] !== 'string'
      ) {
        valid = false
        break
      }
    }
    if (valid) return input as readonly ParamPair[]
  }
  return toParamPairs(input)
}

/**
 * The checks of the parameters a caller passes, pairwise, in parameter order: at each parameter, a
 * `signature`/`ztime` first, then a name seen before. Runs only when the one-pass check saw either.
 */
function checkParamsSlowly(params: readonly ParamPair[]): void {
  for (let i = 0; i < params.length; i++) {
    const name = params[i]![0]
    if (name === 'signature' || name === 'ztime')
      throw safeCreativeError('INVALID_ARGUMENT', `Do not pass "${name}": the signer adds it.`, {
        parameter: name,
      })
    for (let j = 0; j < i; j++)
      if (params[j]![0] === name)
        throw safeCreativeError(
          'INVALID_ARGUMENT',
          `Parameter ${JSON.stringify(name)} appears twice; Safe Creative reads only the first, so the signature would not match.`,
          { parameter: name },
        )
  }
}

/** The string-to-sign object for traces and tokens (built on demand only). */
function stringToSign(key: string, sorted: readonly ParamPair[]): SafeCreativeStringToSign {
  return new SafeCreativeStringToSign(
    key,
    sorted.filter((pair) => !isExcludedParam(pair[0])),
    'prefix',
  )
}

function identity(value: string | undefined, name: string, expected: string, added: ParamPair[]): void {
  if (value === undefined) added.push([name, expected])
  else if (value !== expected)
    throw safeCreativeError(
      'AUTHKEY_MISMATCH',
      `The request's ${name} is not the one this signer holds the private key for; create the signer with that ${name}'s credentials.`,
      { parameter: name },
    )
}

function required(value: unknown, what: string, code: 'EMPTY_PRIVATE_KEY' | 'INVALID_ARGUMENT'): string {
  if (typeof value !== 'string' || value.length === 0)
    throw safeCreativeError(
      code,
      `The ${what} is ${value === '' ? 'empty' : 'missing'}; pass the value Safe Creative issued.`,
    )
  return value
}

/** The decoded parameters of a request about to be sent: query, then an urlencoded form body. */
export function requestParams(request: HttpRequest): ParamPair[] {
  const known = KNOWN_PARAMS.get(request)
  if (known) return [...known]
  return decodeRequestParams(request)
}

/** {@link requestParams} without the copy of remembered parameters (the signer only reads them). */
function paramsOf(request: HttpRequest): readonly ParamPair[] {
  return KNOWN_PARAMS.get(request) ?? decodeRequestParams(request)
}

function decodeRequestParams(request: HttpRequest): ParamPair[] {
  const q = request.target.indexOf('?')
  const pairs: ParamPair[] = q === -1 ? [] : decodePairs(request.target.slice(q + 1))
  if ((request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const bytes = request.body.inMemoryBytes()
    if (bytes === undefined)
      throw safeCreativeError(
        'INVALID_ARGUMENT',
        'A form body must be held in memory to be signed; build it with textBody().',
      )
    pairs.push(...decodePairs(utf8Decode(bytes)))
  }
  return pairs
}

/**
 * Parameters of requests built by the client, by request object. The client encodes its parameters
 * with core's RFC 3986 `formatQueryPairs`, whose decoding gives back exactly the same pairs (a core
 * property test), so the signer can take them from here instead of decoding its own output again on
 * every attempt. Requests built elsewhere are decoded from their query and form body as received.
 */
const KNOWN_PARAMS = new WeakMap<HttpRequest, readonly ParamPair[]>()

/** Records the decoded parameters (query and form merged, in order) of a request the client built. */
export function rememberParams(request: HttpRequest, params: readonly ParamPair[]): HttpRequest {
  KNOWN_PARAMS.set(request, params)
  return request
}

/**
 * Drops what {@link rememberParams} recorded, once the request is answered. A WeakMap entry lives until
 * a full garbage collection even after its request is gone; with a 68 KB upload chunk in every entry,
 * thousands of them piled up in the old generation.
 */
export function forgetParams(request: HttpRequest): void {
  KNOWN_PARAMS.delete(request)
}

/** `a=1&b=x+y` as decoded pairs (`+` is a space). Pieces without `%` or `+` are taken as they are. */
function decodePairs(text: string): ParamPair[] {
  const out: ParamPair[] = []
  if (text === '') return out
  for (const piece of text.split('&')) {
    const eq = piece.indexOf('=')
    const name = eq === -1 ? piece : piece.slice(0, eq)
    const value = eq === -1 ? '' : piece.slice(eq + 1)
    out.push([decode(name), decode(value)])
  }
  return out
}

function decode(text: string): string {
  try {
    return formDecode(text)
  } catch (error) {
    if (error instanceof SigwireError) throw safeCreativeError('INVALID_ARGUMENT', error.message)
    throw error
  }
}
