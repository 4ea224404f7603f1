import { formatTrace, type TokenTrace } from '@sigwire/core'
import type { Diagnosis, VerifyResult } from '@sigwire/core/doctor'
import type { ParsedRequest } from '../input/parsed-request.js'
import { colors, type Io, printJson } from './io.js'
import { cliWording } from './wording.js'

/** What `sigwire sign` prints. Secrets in tokens are masked; `stringToSign` shows them masked too. */
export interface SignReport {
  readonly protocol: string
  readonly headers: Readonly<Record<string, string>>
  readonly stringToSign: string
  readonly tokens: readonly TokenTrace[]
  readonly signature?: string
  readonly [extra: string]: unknown
}

/** Prints a sign report as JSON or as the token table. */
export function printSignReport(io: Io, report: SignReport, json: boolean): void {
  if (json) {
    printJson(io, {
      ...report,
      tokens: report.tokens.map((t) => ({ label: t.label, text: t.text, hex: t.hex, secret: t.secret })),
    })
    return
  }
  const c = colors(io)
  io.out(c.bold(`${report.protocol}: string to sign (${report.tokens.length} tokens)`))
  io.out(formatTrace(report.tokens))
  if (report.signature !== undefined) io.out(`\nsignature: ${report.signature}`)
  const headers = Object.entries(report.headers)
  if (headers.length > 0) {
    io.out('\nheaders:')
    for (const [name, value] of headers) io.out(`  ${name}: ${value}`)
  }
  for (const [key, value] of Object.entries(report)) {
    if (['protocol', 'headers', 'stringToSign', 'tokens', 'signature'].includes(key)) continue
    io.out(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
  }
}

/** The JSON shape of `sigwire verify`. */
export type VerifyReport =
  | { readonly ok: true; readonly notes?: readonly string[] }
  | {
      readonly ok: false
      readonly reason: string
      readonly message: string
      readonly failedToken: { readonly label: string; readonly expected: string; readonly actual: string }
    }

/** Turns a verifier's result into the report; `expected`/`actual` fall back to what the verifier named. */
export function verifyReport(
  result: VerifyResult,
  fallback?: { expected: string; actual: string },
): VerifyReport {
  if (result.ok) return result.notes?.length ? { ok: true, notes: result.notes } : { ok: true }
  const diff = result.failedToken
  return {
    ok: false,
    reason: result.reason,
    message: cliWording(result.message),
    failedToken: diff
      ? { label: diff.label, expected: diff.expected.text, actual: diff.actual.text }
      : {
          label: result.token ?? 'signature',
          expected: fallback?.expected ?? '',
          actual: fallback?.actual ?? '',
        },
  }
}

/** Prints a verify report; returns whether it passed. */
export function printVerifyReport(
  io: Io,
  given: VerifyReport,
  request: ParsedRequest,
  json: boolean,
): boolean {
  const report = given.ok ? given : { ...given, message: cliWording(given.message) }
  if (json) {
    printJson(io, report)
    return report.ok
  }
  const c = colors(io)
  for (const warning of request.warnings) io.err(c.dim(`note: ${warning}`))
  if (report.ok) {
    io.out(`${c.green('✓')} the signature verifies`)
    for (const note of report.notes ?? []) io.out(`  ${note}`)
    return true
  }
  io.out(`${c.red('✗')} ${report.reason}: ${report.message}`)
  io.out(`  token:    ${report.failedToken.label}`)
  // An empty side is unknown (a signature says that a token differs, not always what it was).
  if (report.failedToken.expected) io.out(`  expected: ${JSON.stringify(report.failedToken.expected)}`)
  if (report.failedToken.actual) io.out(`  actual:   ${JSON.stringify(report.failedToken.actual)}`)
  return false
}

/**
 * Prints a doctor report (JSON: `{ ok, findings: [{ code, message, fix }] }`); returns whether it passed.
 * Findings are worded for the command line (flags, not the library's option names).
 */
export function printDiagnosis(io: Io, diagnosis: Diagnosis, request: ParsedRequest, json: boolean): boolean {
  const findings = diagnosis.findings.map((f) => ({
    code: f.code,
    message: cliWording(f.message),
    fix: cliWording(f.fix),
    severity: f.severity,
  }))
  if (json) {
    // The first difference (with both token lists, secrets masked) when the doctor found what was signed.
    printJson(io, {
      ok: diagnosis.ok,
      findings,
      ...(diagnosis.firstDifference ? { firstDifference: diagnosis.firstDifference } : {}),
    })
    return diagnosis.ok
  }
  const c = colors(io)
  for (const warning of request.warnings) io.err(c.dim(`note: ${warning}`))
  io.out(
    diagnosis.ok
      ? `${c.green('✓')} the request would be accepted`
      : `${c.red('✗')} the request would be rejected`,
  )
  for (const finding of findings) {
    const mark = finding.severity === 'note' ? c.yellow('note') : c.red('error')
    io.out(`\n${mark} ${c.bold(finding.code)}`)
    io.out(`  ${finding.message}`)
    io.out(`  fix: ${finding.fix}`)
  }
  return diagnosis.ok
}
