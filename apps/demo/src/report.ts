/** One step of the demo: a name and the work, which returns a one-line summary. */
export interface Step {
  readonly service: string
  readonly name: string
  run(): Promise<string>
}

/** The outcome of one step. */
export interface StepResult {
  readonly service: string
  readonly name: string
  readonly ok: boolean
  readonly ms: number
  readonly summary: string
}

/** Runs the steps in order, printing one line per step as it finishes. Stops a service's steps at its first failure. */
export async function runSteps(steps: readonly Step[], print: (line: string) => void): Promise<StepResult[]> {
  const results: StepResult[] = []
  const failedServices = new Set<string>()
  let current = ''
  for (const step of steps) {
    if (step.service !== current) {
      current = step.service
      print(`\n${step.service}`)
    }
    if (failedServices.has(step.service)) {
      results.push({
        service: step.service,
        name: step.name,
        ok: false,
        ms: 0,
        summary: 'skipped after an earlier failure',
      })
      print(`  - ${step.name.padEnd(44)} skipped`)
      continue
    }
    const started = performance.now()
    try {
      const summary = await step.run()
      const ms = performance.now() - started
      results.push({ service: step.service, name: step.name, ok: true, ms, summary })
      print(`  ✓ ${step.name.padEnd(44)} ${formatMs(ms).padStart(8)}  ${summary}`)
    } catch (error) {
      const ms = performance.now() - started
      failedServices.add(step.service)
      const message =
        error instanceof Error
          ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
          : String(error)
      results.push({ service: step.service, name: step.name, ok: false, ms, summary: message })
      print(`  ✗ ${step.name.padEnd(44)} ${formatMs(ms).padStart(8)}  ${message}`)
    }
  }
  return results
}

/** Milliseconds as `12 ms` or `1.23 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}
