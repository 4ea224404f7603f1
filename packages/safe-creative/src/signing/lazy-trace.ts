import type { TokenTrace } from '@sigwire/core'

/**
 * A trace array computed on first use. A signer returns a trace with every signature, but it is read
 * only when a request fails; building it (UTF-8 and hex of every token) costs several times the
 * signature itself, so it is deferred. The value is a real array behind a Proxy: indexing, length,
 * iteration, spreading and JSON all see the computed trace.
 */
export function lazyTrace(compute: () => TokenTrace[]): readonly TokenTrace[] {
  let value: TokenTrace[] | undefined
  const get = () => {
    value ??= compute()
    return value
  }
  return new Proxy([] as TokenTrace[], {
    get: (_t, key) => {
      const target = get()
      const v = Reflect.get(target, key, target)
      return typeof v === 'function' ? v.bind(target) : v
    },
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key)
      // The proxy's own target is an empty array: report length as its own (non-configurable) property.
      return d && key !== 'length' ? { ...d, configurable: true } : d
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  })
}
