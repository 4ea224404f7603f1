import { FAULT_KINDS, type FaultController, type FaultKind } from '@sigwire/emulator-kit'
import { uiError } from './errors.js'

/** What the page sends to change a service's faults: the same operations as the emulator's `faults` API. */
export type FaultCommand =
  | {
      /** Queue `times` faults of `kind` (`FaultController.inject`). */
      readonly action: 'inject'
      /** `throttle`, `unavailable`, `drop`, `drop-after` (applied, answer lost) or `latency`. */
      readonly kind: FaultKind
      /** How many requests it answers. Default 1. */
      readonly times?: number
      /** Seconds the answer asks the client to wait. Default 1. */
      readonly retryAfterSeconds?: number
      /** Only requests whose path starts with this. */
      readonly pathPrefix?: string
      /** Delay of a `latency` fault, in ms. Default 100. */
      readonly latencyMs?: number
    }
  | {
      /** Remove every queued fault (`FaultController.clear`). */
      readonly action: 'clear'
    }
  | {
      /** Set the latency and clock offset. */
      readonly action: 'set'
      /** Delay before every answer, ms. */
      readonly latencyMs?: number
      /** Milliseconds added to the emulator's clock. */
      readonly clockOffsetMs?: number
    }

/** A service's fault settings as the page shows them. */
export interface FaultState {
  /** Delay before every answer, ms. */
  readonly latencyMs: number
  /** Milliseconds added to the emulator's clock. */
  readonly clockOffsetMs: number
  /** Queued faults not yet taken. */
  readonly pending: number
}

const KINDS: readonly FaultKind[] = FAULT_KINDS
const DAY_MS = 86_400_000

/** The fault settings of `faults`. */
export function faultState(faults: FaultController): FaultState {
  return { latencyMs: faults.latencyMs, clockOffsetMs: faults.clockOffsetMs, pending: faults.pending }
}

/** Checks a command from the page and applies it to `faults`; throws `INVALID_ARGUMENT` naming the field. */
export function applyFaultCommand(faults: FaultController, input: unknown): FaultState {
  const command = (input ?? {}) as Record<string, unknown>
  const integer = (field: string, min: number, max: number): number | undefined => {
    const value = command[field]
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw uiError('INVALID_ARGUMENT', `${field} must be a whole number from ${min} to ${max}.`)
    return value
  }
  switch (command.action) {
    case 'inject': {
      const kind = command.kind as FaultKind
      if (!KINDS.includes(kind)) throw uiError('INVALID_ARGUMENT', `kind must be one of ${KINDS.join(', ')}.`)
      const times = integer('times', 1, 1000)
      const retryAfterSeconds = integer('retryAfterSeconds', 0, 3600)
      const faultLatencyMs = integer('latencyMs', 0, 60_000)
      const pathPrefix = command.pathPrefix
      if (pathPrefix !== undefined && (typeof pathPrefix !== 'string' || !pathPrefix.startsWith('/')))
        throw uiError('INVALID_ARGUMENT', 'pathPrefix must be a path starting with "/".')
      faults.inject(kind, {
        ...(times === undefined ? {} : { times }),
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        ...(faultLatencyMs === undefined ? {} : { latencyMs: faultLatencyMs }),
        ...(pathPrefix === undefined || pathPrefix === '' ? {} : { pathPrefix }),
      })
      break
    }
    case 'clear':
      faults.clear()
      break
    case 'set': {
      const latencyMs = integer('latencyMs', 0, 60_000)
      const clockOffsetMs = integer('clockOffsetMs', -DAY_MS, DAY_MS)
      if (latencyMs !== undefined) faults.latencyMs = latencyMs
      if (clockOffsetMs !== undefined) faults.clockOffsetMs = clockOffsetMs
      break
    }
    default:
      throw uiError('INVALID_ARGUMENT', 'action must be inject, clear or set.')
  }
  return faultState(faults)
}
