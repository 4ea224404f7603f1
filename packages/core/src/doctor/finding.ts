import type { TokenDifference } from './diff-tokens.js'

/** One diagnosis of a doctor: a stable code, what is wrong, and what to change. */
export interface Finding<Code extends string = string> {
  /** Stable code, e.g. `hash-hex-not-base64` (each adapter lists its codes in `X_FINDING_CODES`). */
  readonly code: Code
  /** What is wrong with the request. */
  readonly message: string
  /** What to change in the client. */
  readonly fix: string
  /** `error` makes the request fail; `note` is accepted by the service but worth knowing. */
  readonly severity: 'error' | 'note'
  /** The label of the string-to-sign token the finding is about, when it is about one. */
  readonly token?: string
}

/** A doctor's report for one request: the shape every `diagnoseXRequest` returns. */
export interface Diagnosis<F extends Finding = Finding> {
  /** True when the request would be accepted (notes may still be present). */
  readonly ok: boolean
  /** Findings, errors first, then notes. */
  readonly findings: readonly F[]
  /** The first token where what the client signed differs from what the server rebuilds, when known. */
  readonly firstDifference?: TokenDifference
}

/** What a catalogue says about one finding code. */
export interface FindingEntry {
  /** The standard fix. */
  readonly fix: string
  /** The token label findings of this code are about, if any. */
  readonly token?: string
}

/** Options of {@link FindingCatalog.finding}. */
export interface FindingOptions {
  /** Default `error`. */
  readonly severity?: 'error' | 'note'
  /** Replaces the catalogue's fix (a fix that names the request's own values). */
  readonly fix?: string
  /** Replaces the catalogue's token. */
  readonly token?: string
}

/** The finding codes of one doctor, with their fixes: builds findings and orders them. */
export interface FindingCatalog<Code extends string> {
  /** Every code, in report order. */
  readonly codes: readonly Code[]
  /** A finding of `code` with the catalogue's fix and token. */
  finding(code: Code, message: string, options?: FindingOptions): Finding<Code>
  /**
   * The findings as a doctor reports them: exact repeats dropped (or, with `oncePerCode`, every finding
   * after the first of its code), errors before notes, and with `byCode` in catalogue order.
   */
  settle(
    findings: readonly Finding<Code>[],
    options?: { readonly oncePerCode?: boolean; readonly byCode?: boolean },
  ): Finding<Code>[]
}

/**
 * A doctor's finding catalogue: `codes` in report order and one entry (fix, token) per code. Keeping the
 * fixes in one table keeps every doctor's findings the same shape.
 */
export function findingCatalog<Code extends string>(
  codes: readonly Code[],
  entries: Readonly<Record<Code, FindingEntry>>,
): FindingCatalog<Code> {
  const rank = new Map(codes.map((code, i) => [code, i]))
  return {
    codes,
    finding(code, message, options = {}) {
      const entry = entries[code]
      const token = options.token ?? entry.token
      return {
        code,
        message,
        fix: options.fix ?? entry.fix,
        severity: options.severity ?? 'error',
        ...(token === undefined ? {} : { token }),
      }
    },
    settle(findings, options = {}) {
      const kept: Finding<Code>[] = []
      for (const f of findings) {
        const repeat = kept.some(
          (k) => k.code === f.code && (options.oncePerCode === true || k.message === f.message),
        )
        if (!repeat) kept.push(f)
      }
      const weight = (f: Finding<Code>) =>
        (f.severity === 'note' ? codes.length : 0) + (options.byCode ? rank.get(f.code)! : 0)
      return kept
        .map((f, i) => ({ f, i }))
        .sort((a, b) => weight(a.f) - weight(b.f) || a.i - b.i)
        .map(({ f }) => f)
    },
  }
}
