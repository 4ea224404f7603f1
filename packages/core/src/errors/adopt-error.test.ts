import { describe, expect, it } from 'vitest'
import { adoptError } from './adopt-error.js'
import { SigwireError, type SigwireErrorOptions } from './sigwire-error.js'

type DemoCode = 'TIMEOUT' | 'ABORTED' | 'THROTTLED'

class DemoError<C extends DemoCode = DemoCode> extends SigwireError<C> {
  override readonly name: string = 'DemoError'
  constructor(options: SigwireErrorOptions<C>) {
    super(options)
  }
}

describe('adoptError', () => {
  it('turns a core error into the package class with every field, the core error as cause', () => {
    const core = new SigwireError({
      code: 'TIMEOUT',
      message: 'too slow',
      status: 504,
      serviceCode: 'GatewayTimeout',
      retryAfterMs: 10,
      trace: [],
      details: { timeoutMs: 5 },
    })
    const adopted = adoptError(core, DemoError) as DemoError
    expect(adopted).toBeInstanceOf(DemoError)
    expect(adopted).toMatchObject({
      name: 'DemoError',
      code: 'TIMEOUT',
      message: 'too slow',
      status: 504,
      serviceCode: 'GatewayTimeout',
      retryAfterMs: 10,
      trace: [],
      details: { timeoutMs: 5 },
    })
    expect(adopted.cause).toBe(core)
  })

  it('keeps an error already of the class, and a bug that is no sigwire error', () => {
    const own = new DemoError({ code: 'THROTTLED', message: 'slow down' })
    expect(adoptError(own, DemoError)).toBe(own)
    const bug = new TypeError('x is undefined')
    expect(adoptError(bug, DemoError)).toBe(bug)
  })

  it('turns an AbortError into ABORTED', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError')
    expect(adoptError(abort, DemoError)).toMatchObject({ name: 'DemoError', code: 'ABORTED', cause: abort })
  })
})
