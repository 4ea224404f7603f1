import type { TokenTrace } from '@sigwire/core'
import type { Diagnosis, Finding, TokenDifference, TokenSide } from '@sigwire/core/doctor'
import type { RequestLogEntry, RequestVerdict } from '@sigwire/emulator-kit'

/**
 * The verdict the UI shows: `verified` (the emulator accepted it), `rejected` (authentication refused;
 * the doctor ran), `faulted` (an injected fault answered), `failed` (any other error answer), `error`
 * (the emulator itself failed).
 */
export type UiVerdict = 'verified' | 'rejected' | 'faulted' | 'failed' | 'error'

/** The doctor's first difference with every token of both strings, as the page draws it. */
export interface UiDifference {
  /** Index of the first differing token. */
  readonly index: number
  /** Its label. */
  readonly label: string
  /** Byte offset of the first differing byte in the whole string. */
  readonly byteOffset: number
  /** Byte offset of the first differing byte inside the token. */
  readonly offsetInToken: number
  /** `value`, `missing` (the client's string ran out) or `extra` (it has more). */
  readonly kind: 'value' | 'missing' | 'extra'
  /** The differing token as expected. */
  readonly expected: TokenSide
  /** The differing token as signed. */
  readonly actual: TokenSide
  /** The expected string-to-sign, token by token (secrets masked). */
  readonly expectedTokens: readonly TokenTrace[]
  /** The string the client signed, token by token (secrets masked). */
  readonly actualTokens: readonly TokenTrace[]
}

/** One request of the log as the page shows it. Holds no secret (the emulator's log holds none). */
export interface UiRequest {
  /** `service:id`, unique across the emulators. */
  readonly key: string
  /** The emulator that received it (`cloudkit`, `safe-creative`, ...). */
  readonly service: string
  /** The id in that emulator's log. */
  readonly id: number
  /** ISO 8601 arrival time. */
  readonly at: string
  /** HTTP method. */
  readonly method: string
  /** The request-target, credentials masked by the emulator. */
  readonly target: string
  /** The route that matched, when one did. */
  readonly route?: string
  /** The answer's status (0 for a dropped connection). */
  readonly status: number
  /** The UI's verdict. */
  readonly verdict: UiVerdict
  /** Milliseconds from arrival to answer. */
  readonly latencyMs: number
  /** The service's error code. */
  readonly code?: string
  /** The verifier's or the fault's reason. */
  readonly reason?: string
  /** The emulator's explanation. */
  readonly message?: string
  /** The token the verifier named. */
  readonly token?: string
  /** The doctor's findings, errors first. */
  readonly findings: readonly Finding[]
  /** The first differing token with both strings, when the doctor found what the client signed. */
  readonly difference?: UiDifference
  /** Names of the request's headers, lower case. */
  readonly headerNames: readonly string[]
  /** Body bytes the emulator read. */
  readonly bodyBytes: number
}

const VERDICTS: Readonly<Record<RequestVerdict, UiVerdict>> = {
  accepted: 'verified',
  refused: 'rejected',
  fault: 'faulted',
  failed: 'failed',
  error: 'error',
}

/** Turns an emulator's log entry into the page's row (plain data: lazy traces are read here). */
export function requestView(service: string, entry: RequestLogEntry): UiRequest {
  const difference = (entry.diagnosis as Diagnosis | undefined)?.firstDifference
  return {
    key: `${service}:${entry.id}`,
    service,
    id: entry.id,
    at: entry.at,
    method: entry.method,
    target: entry.target,
    ...(entry.route === undefined ? {} : { route: entry.route }),
    status: entry.status,
    verdict: VERDICTS[entry.verdict],
    latencyMs: entry.durationMs,
    ...(entry.code === undefined ? {} : { code: entry.code }),
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    ...(entry.message === undefined ? {} : { message: entry.message }),
    ...(entry.token === undefined ? {} : { token: entry.token }),
    findings: (entry.findings ?? []).map((f) => ({ ...f })),
    ...(difference ? { difference: differenceView(difference) } : {}),
    headerNames: [...entry.headerNames],
    bodyBytes: entry.bodyBytes,
  }
}

function differenceView(d: TokenDifference): UiDifference {
  return {
    index: d.index,
    label: d.label,
    byteOffset: d.byteOffset,
    offsetInToken: d.offsetInToken,
    kind: d.kind,
    expected: { ...d.expected },
    actual: { ...d.actual },
    expectedTokens: (d.expectedTokens ?? []).map((t) => ({ ...t })),
    actualTokens: (d.actualTokens ?? []).map((t) => ({ ...t })),
  }
}
