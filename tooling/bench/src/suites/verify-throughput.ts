import { compare, type Subject } from '../measure.js'
import type { Suite } from '../suite.js'
import { formatOps, formatRatio } from '../table.js'
import { appleNewsVerifyRequests, appleNewsVerifySubjects } from './verify-apple-news.js'
import { cloudKitVerifySubjects } from './verify-cloudkit.js'
import { safeCreativeVerifySubjects } from './verify-safe-creative.js'

/** Emulator-side verification (the verifiers the emulators call) against the raw primitives. */
export const verifyThroughputSuite: Suite = {
  id: 'verify-throughput',
  title: 'Emulator verification vs raw primitives',
  async run({ settings, log }) {
    const groups: Array<{ request: string; subjects: Subject[] }> = [
      { request: 'CloudKit POST records/query', subjects: cloudKitVerifySubjects() },
      ...(await appleNewsVerifyRequests()).map(({ name, request }) => ({
        request: `Apple News ${name}`,
        subjects: appleNewsVerifySubjects(request),
      })),
      { request: 'Safe Creative work.register (8 params)', subjects: safeCreativeVerifySubjects() },
    ]
    const rows: string[][] = []
    const raw: Record<string, unknown> = {}
    for (const group of groups) {
      log(`bench: verify ${group.request}`)
      // Every subject must accept its request before it is timed.
      for (const subject of group.subjects) await subject.run()
      const result = await compare(group.subjects, settings)
      raw[group.request] = result
      for (const [i, s] of result.subjects.entries())
        rows.push([group.request, s.name, formatOps(s.opsPerSec), formatRatio(result.ratios[i]!)])
    }
    return {
      tables: [
        {
          title: 'Emulator verification throughput vs the raw primitive (same request, same key)',
          columns: ['request', 'subject', 'verifications/s', 'vs raw'],
          rows,
          notes: [
            'The verifiers are the functions the emulators call. They parse the headers or parameters, check the date window and the key, rebuild the token list (kept for the doctor) and compare in constant time; the raw subjects hash or verify strings whose parts are already extracted. No target is set for verification; it bounds how many signed requests an emulator can check per core.',
          ],
        },
      ],
      raw,
    }
  },
}
