import { describe, expect, it } from 'vitest'
import { lazyTrace, lazyTraceTokens } from './lazy-trace.js'
import { textToken } from './token.js'
import { traceTokens } from './trace-tokens.js'

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

  it('keeps separate traces apart and never shows a secret', () => {
    const a = lazyTraceTokens([textToken('key', 'hunter2hunter2', { secret: true })])
    const b = lazyTraceTokens([textToken('x', 'y')])
    expect(a[0]!.text).toBe('{secret}')
    expect(b[0]!.text).toBe('y')
    expect(JSON.stringify(a)).not.toContain('hunter2')
  })
})
