import { textToken, traceTokens } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { lazyTrace } from './lazy-trace.js'

describe('lazyTrace', () => {
  it('computes once, on first use, and behaves as the array', () => {
    let calls = 0
    const tokens = [textToken('private-key', 'secret-key', { secret: true }), textToken('&', '&')]
    const trace = lazyTrace(() => {
      calls++
      return traceTokens(tokens)
    })
    expect(calls).toBe(0)
    expect(Array.isArray(trace)).toBe(true)
    expect(trace).toHaveLength(2)
    expect([...trace].map((t) => t.label)).toEqual(['private-key', '&'])
    expect(trace.map((t) => t.hex)).toEqual(['00000000000', '26'])
    expect(JSON.parse(JSON.stringify(trace))).toEqual(traceTokens(tokens))
    expect(Object.keys(trace)).toEqual(['0', '1'])
    expect(calls).toBe(1)
  })
})
