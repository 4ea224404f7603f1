import type { Suite } from '../suite.js'
import type { Table } from '../table.js'
import type { Target } from '../target.js'
import { clean, type FaultRunResult, type FaultRunSettings, runUnderFaults } from './fault-run.js'
import { SERVICES_UNDER_FAULTS } from './services/index.js'

const FULL: FaultRunSettings = {
  writes: 2000,
  concurrency: 16,
  faultRate: 0.1,
  seed: 14,
  retryAfterSeconds: 1,
  latencyMs: 100,
}

/** `--quick` (CI) runs the size of the test in `reliability.test.ts`. */
const QUICK: FaultRunSettings = { ...FULL, writes: 200 }

const count = (n: number) => n.toLocaleString('en-US')

/** `CODE n, CODE n` for the failures of a run, or `none`. */
function failuresText(failures: Readonly<Record<string, number>>): string {
  const entries = Object.entries(failures).sort(([a], [b]) => a.localeCompare(b))
  return entries.length === 0 ? 'none' : entries.map(([code, n]) => `${code} ${count(n)}`).join(', ')
}

function faultsText(result: FaultRunResult): string {
  return Object.entries(result.faults)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ')
}

/** The Reliability table: one row per service. */
export function reliabilityTable(results: readonly FaultRunResult[], settings: FaultRunSettings): Table {
  return {
    title: `Reliability: ${count(settings.writes)} writes per service at concurrency ${settings.concurrency} with ${Math.round(settings.faultRate * 100)}% injected faults`,
    columns: [
      'service',
      'write',
      'acknowledged',
      'failed (typed, by code)',
      'OUTCOME_UNKNOWN applied / not',
      'lost',
      'duplicated',
      'untyped',
      'faults injected',
      'time',
    ],
    rows: results.map((r) => [
      r.service,
      r.write,
      count(r.acknowledged),
      failuresText(r.failures),
      `${r.unknownApplied} / ${r.unknownNotApplied}`,
      String(r.lost),
      String(r.duplicated),
      String(r.untyped),
      faultsText(r),
      `${r.seconds.toFixed(1)} s`,
    ]),
    notes: [
      `Run on ${new Date().toISOString().slice(0, 10)} with Node.js ${process.version}. Each service: its emulator in this process, its client, ${settings.concurrency} writers; one request in ${Math.round(1 / settings.faultRate)} to the writes' endpoint gets a fault drawn evenly from throttle (429), unavailable (503), drop (connection closed before the write is applied), drop-after (applied, then closed unanswered) and latency (${settings.latencyMs} ms), retry-after ${settings.retryAfterSeconds} s, seed ${settings.seed}. Then the faults stop and the server's state is read back through the client (the read the OUTCOME_UNKNOWN message names): lost = acknowledged but absent, duplicated = present more than once, untyped = a failure that is not the package's error class with a code of its list. OUTCOME_UNKNOWN failures are resolved by that read-back. Writes that failed with a definite error yet were applied: ${results.reduce((sum, r) => sum + r.phantom, 0)}; records nobody wrote: ${results.reduce((sum, r) => sum + r.strangers, 0)}. CloudKit record names and iCloud topics are keys the server keeps once, so a duplicate cannot appear there; Apple News and Safe Creative writes have no such key. The Apple News channel quota (200 creates an hour) is lifted for this run; Safe Creative writers each have an authkey of the same user.`,
    ],
  }
}

/** The targets: 0 lost, 0 duplicated, 0 untyped per service. */
export function reliabilityTargets(results: readonly FaultRunResult[], settings: FaultRunSettings): Target[] {
  return results.map((r) => ({
    name: `Reliability under ${Math.round(settings.faultRate * 100)}% faults, ${r.service} (${count(settings.writes)} writes, c=${settings.concurrency}): lost / duplicated / untyped`,
    goal: '0 / 0 / 0',
    measured: `${r.lost} / ${r.duplicated} / ${r.untyped}`,
    met: clean(r),
    ...(clean(r)
      ? {}
      : {
          note: `phantom ${r.phantom}, strangers ${r.strangers}, OUTCOME_UNKNOWN without the read-back named ${r.unknownWithoutHint}.`,
        }),
  }))
}

/**
 * Writes under injected faults, per service: nothing lost, nothing duplicated, every failure typed
 * (issue 14). A correctness run, not a speed one: its section of BENCHMARKS.md is also written by
 * `pnpm bench --only=reliability`.
 */
export const reliabilitySuite: Suite = {
  id: 'reliability',
  title: 'Reliability: writes under injected faults',
  ownSection: true,
  async run({ quick, log }) {
    const settings = quick ? QUICK : FULL
    const results: FaultRunResult[] = []
    for (const { name, start } of SERVICES_UNDER_FAULTS) {
      log(`bench: reliability ${name}, ${settings.writes} writes`)
      const service = await start(settings.concurrency)
      try {
        results.push(await runUnderFaults(service, settings))
      } finally {
        await service.close()
      }
      const last = results.at(-1)!
      if (last.untypedSamples.length > 0)
        log(`bench: untyped errors of ${name}:\n${last.untypedSamples.join('\n')}`)
    }
    return {
      tables: [reliabilityTable(results, settings)],
      targets: reliabilityTargets(results, settings),
      raw: { settings, results },
    }
  },
}
