import { FaultController } from '@sigwire/emulator-kit'
import { describe, expect, it } from 'vitest'
import { applyFaultCommand } from './fault-commands.js'

describe('applyFaultCommand', () => {
  it('does what the FaultController API does', () => {
    const faults = new FaultController()
    expect(
      applyFaultCommand(faults, { action: 'inject', kind: 'throttle', times: 2, retryAfterSeconds: 3 }),
    ).toEqual({
      latencyMs: 0,
      clockOffsetMs: 0,
      pending: 2,
    })
    expect(faults.take('/x')).toMatchObject({ kind: 'throttle', retryAfterSeconds: 3 })
    expect(faults.take('/x')).toMatchObject({ kind: 'throttle', retryAfterSeconds: 3 })
    applyFaultCommand(faults, { action: 'inject', kind: 'drop', pathPrefix: '/v2' })
    expect(faults.take('/other')).toBeUndefined()
    expect(faults.take('/v2/')).toMatchObject({ kind: 'drop', pathPrefix: '/v2' })
    applyFaultCommand(faults, { action: 'set', latencyMs: 250, clockOffsetMs: -60_000 })
    expect([faults.latencyMs, faults.clockOffsetMs]).toEqual([250, -60_000])
    applyFaultCommand(faults, { action: 'clear' })
    expect(faults.pending).toBe(0)
  })

  it('refuses bad input with INVALID_ARGUMENT naming the field', () => {
    const faults = new FaultController()
    const bad = [
      [{ action: 'inject', kind: 'meteor' }, 'kind'],
      [{ action: 'inject', kind: 'drop', times: 0 }, 'times'],
      [{ action: 'inject', kind: 'drop', times: 1.5 }, 'times'],
      [{ action: 'inject', kind: 'drop', pathPrefix: 'v2' }, 'pathPrefix'],
      [{ action: 'set', latencyMs: -1 }, 'latencyMs'],
      [{ action: 'set', clockOffsetMs: '5' }, 'clockOffsetMs'],
      [{ action: 'explode' }, 'action'],
      [null, 'action'],
    ] as const
    for (const [input, field] of bad)
      expect(() => applyFaultCommand(faults, input)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) }),
      )
    expect(faults.pending).toBe(0)
  })
})
