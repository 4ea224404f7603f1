import type { MeasureSettings } from './measure.js'
import type { Table } from './table.js'

/** What a suite gets: the measurement settings and whether this is a `--quick` smoke run. */
export interface SuiteContext {
  readonly settings: MeasureSettings
  readonly quick: boolean
  /** Progress line on stderr (kept out of the tables). */
  log(message: string): void
}

/** One group of benchmarks; returns its tables and raw figures for the JSON results. */
export interface Suite {
  readonly id: string
  readonly title: string
  run(context: SuiteContext): Promise<{ tables: Table[]; raw: unknown }>
}
