import type { Token, TokenTrace } from './token.js'
import { type TraceOptions, traceTokens } from './trace-tokens.js'

const COMPUTE = Symbol('compute')
const VALUE = Symbol('value')

interface LazyTarget extends Array<TokenTrace> {
  [COMPUTE]: () => TokenTrace[]
  [VALUE]?: TokenTrace[]
}

function resolve(target: LazyTarget): TokenTrace[] {
  target[VALUE] ??= target[COMPUTE]()
  return target[VALUE]
}

// One handler for every lazy trace: a signer creates a trace per signature, so per-call closures
// would cost more than the trace saves.
const handler: ProxyHandler<LazyTarget> = {
  get: (target, key) => {
    const value = resolve(target)
    const v = Reflect.get(value, key, value)
    return typeof v === 'function' ? v.bind(value) : v
  },
  has: (target, key) => Reflect.has(resolve(target), key),
  ownKeys: (target) => Reflect.ownKeys(resolve(target)),
  getOwnPropertyDescriptor: (target, key) => {
    const d = Reflect.getOwnPropertyDescriptor(resolve(target), key)
    // The proxy's own target is an empty array: report `length` as its own non-configurable property.
    return d && key !== 'length' ? { ...d, configurable: true } : d
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
}

/**
 * A trace computed on first use. Every request is signed (and signed again on every retry), but a
 * trace is read only when something fails or is logged, and building it (text and hex of every token)
 * costs more than the signature itself for short messages. The value behaves as the array `compute`
 * returns: indexable, iterable, spreadable, JSON-serializable, `Array.isArray` true.
 */
export function lazyTrace(compute: () => TokenTrace[]): readonly TokenTrace[] {
  const target = [] as unknown as LazyTarget
  target[COMPUTE] = compute
  return new Proxy(target, handler)
}

/** `traceTokens(tokens, options)`, computed on first use (see {@link lazyTrace}). */
export function lazyTraceTokens(tokens: readonly Token[], options?: TraceOptions): readonly TokenTrace[] {
  return lazyTrace(() => traceTokens(tokens, options))
}
