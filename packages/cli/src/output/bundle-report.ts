import type { ValidationIssue } from '@sigwire/apple-news'
import type { BundleDirReport } from '../input/bundle-dir.js'
import { colors, type Io, printJson } from './io.js'

const line = (issue: ValidationIssue) =>
  `${issue.code}${issue.keyPath.length > 0 ? ` at ${issue.keyPath.join('.')}` : ''}: ${issue.message ?? ''}${
    issue.value === undefined ? '' : ` (${JSON.stringify(issue.value)})`
  }`

/**
 * Prints what the Apple News Format validator found in a bundle directory: each error Apple would
 * answer (the first is the one it answers) and each warning, with key paths. Returns whether the
 * bundle has no error.
 */
export function printBundleReport(io: Io, report: BundleDirReport, json: boolean): boolean {
  const { validation } = report
  if (json) {
    printJson(io, {
      ok: validation.ok,
      dir: report.dir,
      files: report.files,
      errors: validation.errors,
      warnings: validation.warnings,
    })
    return validation.ok
  }
  const c = colors(io)
  io.out(
    `${c.bold(report.dir)}: article.json${report.hasMetadata ? ', metadata.json' : ''} and ${report.files.length} file${report.files.length === 1 ? '' : 's'}`,
  )
  for (const issue of validation.errors) io.out(`${c.red('error')}   ${line(issue)}`)
  for (const issue of validation.warnings) io.out(`${c.yellow('warning')} ${line(issue)}`)
  io.out(
    validation.ok
      ? c.green('ok: Apple News would accept this bundle (as far as a local check can tell)')
      : `${validation.errors.length} error${validation.errors.length === 1 ? '' : 's'}: Apple News answers the first one (HTTP ${validation.errors[0]!.status})`,
  )
  return validation.ok
}
