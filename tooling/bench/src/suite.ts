import type { MeasureSettings } from './measure.js'
import type { Table } from './table.js'
import type { Target } from './target.js'

/** What a suite gets: the measurement settings and whether this is a `--quick` smoke run. */
export interface SuiteContext {
  readonly settings: MeasureSettings
  readonly quick: boolean
  /** Progress line on stderr (kept out of the tables). */
  log(message: string): void
}

/** What a suite returns: its tables, the targets it measured, and raw figures for the JSON results. */
export interface SuiteResult {
  readonly tables: Table[]
  readonly targets?: Target[]
  readonly raw: unknown
}

/** One group of benchmarks. */
export interface Suite {
  readonly id: string
  readonly title: string
  /**
   * Its tables and targets stand alone (they do not compare with the rest of the run), so a
   * `--only` run writes them into BENCHMARKS.md too, in place of the ones there.
   */
  readonly ownSection?: boolean
  run(context: SuiteContext): Promise<SuiteResult>
}
