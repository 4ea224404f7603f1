import {
  type BytesToken,
  type Clock,
  type HttpRequest,
  type RequestSigner,
  type SignOutput,
  SigwireError,
  type TokenTrace,
  traceTokens,
  utf8Decode,
} from '@sigwire/core'
import { ANALYSIS_SECRET_TEXT } from '../constants.js'
import { type SafeCreativeError, safeCreativeError } from '../errors.js'
import { NONCE_COMPONENTS, type SigningKeyKind, signingKeyFor } from './component-keys.js'
import { type ParamPair, type ParamsInput, toParamPairs } from './params.js'
import { formDecode } from './received-params.js'
import { buildStringToSign, type SafeCreativeStringToSign } from './string-to-sign.js'

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

  // The identity pairs the signer adds, made once.
  const sharedKeyPair: ParamPair = ['sharedkey', sharedKey]
  const authkeyPair: ParamPair | undefined = auth ? ['authkey', auth.authkey] : undefined

  /**
   * Everything signing needs before the string is built, in one pass over the parameters: the checks
   * (in the order and with the messages of the pairwise scan in {@link checkParamsSlowly}, which runs
   * only when something is wrong), the kind of key, and the pairs the signer adds (identity, `ztime`),
   * pushed to `added`.
   */
  const prepare = (
    params: readonly ParamPair[],
    nowMs: number,
    givenComponent: string | undefined,
    added: ParamPair[],
  ): SigningKeyKind => {
    let component = givenComponent
    let hasNonce = false
    let suspect = false
    let debugComponents = 0
    // First values of the identity parameters (a repeated name throws below anyway).
    let givenSharedKey: string | undefined
    let givenAuthkey: string | undefined
    for (let i = 0; i < params.length; i++) {
      const pair = params[i]!
      const name = pair[0]
      if (name === 'signature' || name === 'ztime') suspect = true
      else if (name === 'component') {
        if (component === undefined) component = pair[1]
      } else if (name === 'noncekey') hasNonce = pair[1] !== ''
      else if (name === 'sharedkey') givenSharedKey ??= pair[1]
      else if (name === 'authkey') givenAuthkey ??= pair[1]
      // The string to sign leaves debug-component out, so a repeat of it is found here.
      else if (name === 'debug-component' && ++debugComponents > 1) suspect = true
    }
    // A forbidden or repeated name: the pairwise scan throws the error the caller would have got first.
    if (suspect) checkParamsSlowly(params)
    if (component === undefined || component === '')
      refuse(
        params,
        safeCreativeError(
          'MISSING_COMPONENT',
          'The parameters have no "component"; it names the operation and decides which private key signs.',
        ),
      )
    const kind = signingKeyFor(component)
    if (kind === undefined)
      refuse(
        params,
        safeCreativeError(
          'UNKNOWN_COMPONENT',
          `Component ${JSON.stringify(component)} is not in sigwire's signing-key table, so it cannot tell which private key signs it.`,
          { component },
        ),
      )
    if (kind === 'none') return kind
    if (kind === 'app') {
      identity(givenSharedKey, sharedKeyPair, added, params)
    } else {
      if (!authkeyPair)
        refuse(
          params,
          safeCreativeError(
            'AUTHKEY_REQUIRED',
            `${component} is signed with an authorized authkey's private key; authorize a user first (authkey.create, then the authkey.edit page).`,
            { component },
          ),
        )
      identity(givenAuthkey, authkeyPair, added, params)
      // The authorization page also names the application (§3 step 2).
      if (component === 'authkey.edit') identity(givenSharedKey, sharedKeyPair, added, params)
    }
    if (!hasNonce && NONCE_COMPONENTS.has(component))
      refuse(
        params,
        safeCreativeError(
          'INVALID_ARGUMENT',
          `${component} needs a fresh single-use noncekey from authkey.state (§2.5).`,
          { parameter: 'noncekey' },
        ),
      )
    added.push(['ztime', String(Math.trunc(nowMs))])
    return kind
  }

  /** The private key of a kind that signs (`prepare` has checked that the authkey's is there). */
  const keyOf = (kind: Exclude<SigningKeyKind, 'none'>): string =>
    kind === 'app' ? appKey : auth!.privateKey

  /**
   * The string to sign over the caller's parameters and the added ones (the one builder), after the
   * last check: a name given twice, found next to itself in the sorted pairs.
   */
  const build = (key: string, params: readonly ParamPair[], all: readonly ParamPair[]) => {
    const built = buildStringToSign(key, all)
    const pairs = built.pairs
    for (let i = 1; i < pairs.length; i++) if (pairs[i]![0] === pairs[i - 1]![0]) checkParamsSlowly(params)
    return built
  }

  const signParams = (input: ParamsInput, nowMs: number, options: SignParamsOptions = {}): SignedParams => {
    const params = validPairs(input)
    const added: ParamPair[] = []
    const kind = prepare(params, nowMs, options.component, added)
    if (kind === 'none') return { keyKind: kind, params: params.slice(), added, signature: '', trace: [] }
    const all = joined(params, added)
    const built = build(keyOf(kind), params, all)
    const signature = built.signature()
    const pair: ParamPair = ['signature', signature]
    added.push(pair)
    all.push(pair)
    return new SignedParamsOf(kind, all, added, signature, built)
  }

  return {
    sharedKey,
    authkey: auth?.authkey,
    signParams,
    tokens(request, date) {
      const params = requestParams(request)
      const added: ParamPair[] = []
      const kind = prepare(params, date.getTime(), undefined, added)
      return kind === 'none' ? [] : build(keyOf(kind), params, joined(params, added)).tokens()
    },
    sign(request, clock) {
      const params = requestParams(request)
      const added: ParamPair[] = []
      const kind = prepare(params, clock.now().getTime(), undefined, added)
      if (kind === 'none') return { query: [], trace: [] }
      const built = build(keyOf(kind), params, joined(params, added))
      added.push(['signature', built.signature()])
      return new SignOutputOf(added, built)
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

/** The trace of a built string, private key masked as Safe Creative's analysis masks it. */
function analysisTrace(built: SafeCreativeStringToSign): TokenTrace[] {
  return traceTokens(built.tokens(), { secretText: ANALYSIS_SECRET_TEXT })
}

/**
 * {@link SignedParams} whose trace is built on first read (a prototype getter, no per-call closure): the
 * tokens cost more than the signature, and a trace is read only when something fails.
 */
class SignedParamsOf implements SignedParams {
  readonly #built: SafeCreativeStringToSign
  #trace: readonly TokenTrace[] | undefined

  constructor(
    readonly keyKind: SigningKeyKind,
    readonly params: readonly ParamPair[],
    readonly added: readonly ParamPair[],
    readonly signature: string,
    built: SafeCreativeStringToSign,
  ) {
    this.#built = built
  }

  get trace(): readonly TokenTrace[] {
    this.#trace ??= analysisTrace(this.#built)
    return this.#trace
  }
}

/** A signer's output whose trace is built on first read (see {@link SignedParamsOf}). */
class SignOutputOf implements SignOutput {
  readonly #built: SafeCreativeStringToSign
  #trace: readonly TokenTrace[] | undefined

  constructor(
    readonly query: ReadonlyArray<readonly [string, string]>,
    built: SafeCreativeStringToSign,
  ) {
    this.#built = built
  }

  get trace(): readonly TokenTrace[] {
    this.#trace ??= analysisTrace(this.#built)
    return this.#trace
  }
}

/** `params` then `added`, in a new array (a copy and pushes: faster than `concat` for short lists). */
function joined(params: readonly ParamPair[], added: readonly ParamPair[]): ParamPair[] {
  const all = params.slice()
  for (let i = 0; i < added.length; i++) all.push(added[i]!)
  return all
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

/** Adds the identity pair when the caller left it out; refuses one naming another application or user. */
function identity(
  value: string | undefined,
  pair: ParamPair,
  added: ParamPair[],
  params: readonly ParamPair[],
): void {
  if (value === undefined) added.push(pair)
  else if (value !== pair[1])
    refuse(
      params,
      safeCreativeError(
        'AUTHKEY_MISMATCH',
        `The request's ${pair[0]} is not the one this signer holds the private key for; create the signer with that ${pair[0]}'s credentials.`,
        { parameter: pair[0] },
      ),
    )
}

/**
 * Throws `error`, unless the pairwise scan finds what the caller would have got first: a forbidden or
 * repeated name (a repeat is found only once the pairs are sorted, after the other checks).
 */
function refuse(params: readonly ParamPair[], error: SafeCreativeError): never {
  checkParamsSlowly(params)
  throw error
}

function required(value: unknown, what: string, code: 'EMPTY_PRIVATE_KEY' | 'INVALID_ARGUMENT'): string {
  if (typeof value !== 'string' || value.length === 0)
    throw safeCreativeError(
      code,
      `The ${what} is ${value === '' ? 'empty' : 'missing'}; pass the value Safe Creative issued.`,
    )
  return value
}

/**
 * The decoded parameters of a request about to be sent: query, then an urlencoded form body (form
 * values decoded with `+` as a space). The signer signs what the request carries, decoded again on every
 * attempt, so the signed parameters are always the sent ones.
 */
export function requestParams(request: HttpRequest): ParamPair[] {
  const q = request.target.indexOf('?')
  const pairs: ParamPair[] = q === -1 ? [] : decodePairs(request.target.slice(q + 1))
  if ((request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const bytes = request.body.inMemoryBytes()
    if (bytes === undefined)
      throw safeCreativeError(
        'INVALID_ARGUMENT',
        'A form body must be held in memory to be signed; build it with textBody().',
      )
    const form = decodePairs(utf8Decode(bytes))
    for (let i = 0; i < form.length; i++) pairs.push(form[i]!)
  }
  return pairs
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
