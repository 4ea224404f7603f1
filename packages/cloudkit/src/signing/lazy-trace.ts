import { type BytesToken, type TokenTrace, traceTokens } from '@sigwire/core'

/**
 * A trace of `tokens` whose entries are computed on first read. Every request is signed (and every
 * retry signed again), but a trace is read only when something fails or is logged, so building it
 * eagerly would cost each signature more than the rest of sigwire's own work (§ throughput script).
 * It behaves as the array `traceTokens(tokens)` returns: indexable, iterable, JSON-serializable.
 */
export function lazyTrace(tokens: readonly BytesToken[]): readonly TokenTrace[] {
  let full: TokenTrace[] | undefined
  const resolve = (): TokenTrace[] => {
    full ??= traceTokens(tokens)
    return full
  }
  return new Proxy([] as TokenTrace[], {
    get(_target, key) {
      if (key === 'length') return tokens.length
      const value = Reflect.get(resolve(), key)
      return typeof value === 'function' ? value.bind(resolve()) : value
    },
    has: (_target, key) => Reflect.has(resolve(), key),
    ownKeys: () => Reflect.ownKeys(resolve()),
    getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(resolve(), key),
  })
}
