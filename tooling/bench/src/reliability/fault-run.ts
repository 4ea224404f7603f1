import type { FaultController, FaultKind } from '@sigwire/emulator'

/** The fault kinds of a reliability run: every kind the emulator kit can inject. */
export const RUN_FAULTS: readonly FaultKind[] = ['throttle', 'unavailable', 'drop', 'drop-after', 'latency']

/**
 * One service under faults: a running emulator and a client, unique writes, and a read-back of what
 * the server holds. Write `n` carries the key `keyOf(n)` in its content, so the read-back can count
 * how many times each write landed.
 */
export interface ServiceUnderFaults {
  /** Service name for the report. */
  readonly name: string
  /** What one write is, for the report (e.g. `records.modify create`). */
  readonly write: string
  /** The emulator's live fault controls. */
  readonly faults: FaultController
  /** Only requests under this path get faults (the writes' endpoint). */
  readonly pathPrefix: string
  /** The key of write `n`. */
  keyOf(n: number): string
  /** Performs write `n` through the client; resolves when the client acknowledged it. */
  perform(n: number, worker: number): Promise<void>
  /** Counts, per key, the writes the server holds (through the client's own read calls). */
  readBack(): Promise<Map<string, number>>
  /** True when `error` is the package's error class with a code of its code list. */
  typed(error: unknown): boolean
  /** The error's code (for the tally), when typed. */
  codeOf(error: unknown): string | undefined
  /** What the OUTCOME_UNKNOWN message must recommend (the read-back it names). */
  readonly outcomeHint: RegExp
  /** Stops the client and the emulator. */
  close(): Promise<void>
}

/** Settings of a run. */
export interface FaultRunSettings {
  readonly writes: number
  readonly concurrency: number
  /** Share of requests to the writes' endpoint that get a fault. */
  readonly faultRate: number
  readonly seed: number
  /** Seconds a throttle or outage asks the client to wait. */
  readonly retryAfterSeconds: number
  /** Delay of a latency fault, ms. */
  readonly latencyMs: number
}

/** What a run found. */
export interface FaultRunResult {
  readonly service: string
  readonly write: string
  readonly writes: number
  readonly concurrency: number
  readonly seconds: number
  /** Writes the client acknowledged. */
  readonly acknowledged: number
  /** Typed failures by code (OUTCOME_UNKNOWN included). */
  readonly failures: Readonly<Record<string, number>>
  /** OUTCOME_UNKNOWN failures the read-back found applied / not applied. */
  readonly unknownApplied: number
  readonly unknownNotApplied: number
  /** OUTCOME_UNKNOWN failures whose message did not name the read-back. */
  readonly unknownWithoutHint: number
  /** Acknowledged writes the server does not hold. */
  readonly lost: number
  /** Writes the server holds more than once. */
  readonly duplicated: number
  /** Failures that were not the package's error class with a stable code. */
  readonly untyped: number
  /** Writes that failed with a definite error (not OUTCOME_UNKNOWN) but are on the server. */
  readonly phantom: number
  /** Keys on the server that no write of this run made. */
  readonly strangers: number
  /** Faults the emulator injected, by kind. */
  readonly faults: Readonly<Record<FaultKind, number>>
  /** First few untyped errors, for the report. */
  readonly untypedSamples: readonly string[]
}

type Outcome = { kind: 'ack' } | { kind: 'typed'; code: string; hinted: boolean } | { kind: 'untyped' }

/**
 * Runs `settings.writes` writes at `settings.concurrency` with random faults on the writes' endpoint,
 * then turns the faults off and reads the server's state back through the client: every acknowledged
 * write must be there once, every OUTCOME_UNKNOWN is resolved by that read-back, and every failure
 * must be typed.
 */
export async function runUnderFaults(
  service: ServiceUnderFaults,
  settings: FaultRunSettings,
): Promise<FaultRunResult> {
  const outcomes: Outcome[] = new Array(settings.writes)
  const untypedSamples: string[] = []
  service.faults.randomize({
    rate: settings.faultRate,
    kinds: RUN_FAULTS,
    seed: settings.seed,
    pathPrefix: service.pathPrefix,
    retryAfterSeconds: settings.retryAfterSeconds,
    latencyMs: settings.latencyMs,
  })
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: settings.concurrency }, async (_, worker) => {
      while (next < settings.writes) {
        const n = next++
        try {
          await service.perform(n, worker)
          outcomes[n] = { kind: 'ack' }
        } catch (error) {
          const code = service.typed(error) ? service.codeOf(error) : undefined
          if (code === undefined) {
            outcomes[n] = { kind: 'untyped' }
            if (untypedSamples.length < 3) untypedSamples.push(String((error as Error)?.stack ?? error))
          } else {
            const hinted =
              code !== 'OUTCOME_UNKNOWN' || service.outcomeHint.test(String((error as Error).message))
            outcomes[n] = { kind: 'typed', code, hinted }
          }
        }
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const faults = service.faults.injected
  service.faults.clear()
  const held = await service.readBack()
  return tally(service, settings, outcomes, held, { seconds, faults, untypedSamples })
}

function tally(
  service: ServiceUnderFaults,
  settings: FaultRunSettings,
  outcomes: readonly Outcome[],
  held: ReadonlyMap<string, number>,
  extra: Pick<FaultRunResult, 'seconds' | 'faults' | 'untypedSamples'>,
): FaultRunResult {
  const failures: Record<string, number> = {}
  let acknowledged = 0
  let unknownApplied = 0
  let unknownNotApplied = 0
  let unknownWithoutHint = 0
  let lost = 0
  let duplicated = 0
  let untyped = 0
  let phantom = 0
  const keys = new Set<string>()
  for (const [n, outcome] of outcomes.entries()) {
    const key = service.keyOf(n)
    keys.add(key)
    const count = held.get(key) ?? 0
    if (count > 1) duplicated++
    if (outcome.kind === 'ack') {
      acknowledged++
      if (count === 0) lost++
      continue
    }
    if (outcome.kind === 'untyped') {
      untyped++
      continue
    }
    failures[outcome.code] = (failures[outcome.code] ?? 0) + 1
    if (outcome.code === 'OUTCOME_UNKNOWN') {
      if (count > 0) unknownApplied++
      else unknownNotApplied++
      if (!outcome.hinted) unknownWithoutHint++
    } else if (count > 0) phantom++
  }
  let strangers = 0
  for (const key of held.keys()) if (!keys.has(key)) strangers++
  return {
    service: service.name,
    write: service.write,
    writes: settings.writes,
    concurrency: settings.concurrency,
    acknowledged,
    failures,
    unknownApplied,
    unknownNotApplied,
    unknownWithoutHint,
    lost,
    duplicated,
    untyped,
    phantom,
    strangers,
    ...extra,
  }
}

/** True when nothing was lost, duplicated, untyped, phantom or unexplained. */
export function clean(result: FaultRunResult): boolean {
  return (
    result.lost === 0 &&
    result.duplicated === 0 &&
    result.untyped === 0 &&
    result.phantom === 0 &&
    result.strangers === 0 &&
    result.unknownWithoutHint === 0
  )
}
