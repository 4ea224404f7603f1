import { cliError } from '../output/errors.js'

/** What a numeric option accepts. */
export interface NumberRule {
  /** Smallest accepted value. */
  readonly min: number
  /** Largest accepted value. */
  readonly max: number
  /** Whole numbers only (ports, indexes). */
  readonly integer?: boolean
  /** What the option takes, for the message: "a number of seconds", "a port number". */
  readonly unit: string
}

/**
 * A commander argument parser for a numeric option: plain decimal digits only (Number() would take
 * "", "0x10" and "1e3"), within the rule's range. Anything else is `INVALID_OPTION` naming the flag,
 * at parse time, before the command does anything (a `--code-timeout abc` used to wait forever).
 */
export function numberOption(flag: string, rule: NumberRule): (value: string) => number {
  return (value) => {
    const pattern = rule.integer ? /^\d+$/ : /^\d+(?:\.\d+)?$/
    const number = pattern.test(value) ? Number(value) : Number.NaN
    if (!(number >= rule.min && number <= rule.max))
      throw cliError(
        'INVALID_OPTION',
        `${flag} takes ${rule.unit} from ${rule.min} to ${rule.max}, in plain digits (got ${JSON.stringify(value.slice(0, 40))}).`,
      )
    return number
  }
}

/** `--window-seconds` of verify and doctor: an accepted clock skew of up to a day. */
export const windowSecondsOption = numberOption('--window-seconds', {
  min: 0,
  max: 86_400,
  unit: 'a number of seconds',
})

/** A commander argument parser for a date-time option (`--now`). */
export function dateOption(flag: string): (value: string) => Date {
  return (value) => {
    const date = /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(Number.NaN)
    if (Number.isNaN(date.getTime()))
      throw cliError(
        'INVALID_OPTION',
        `${flag} ${JSON.stringify(value.slice(0, 40))} is not a date: use ISO 8601 like 2026-03-14T15:09:26Z.`,
      )
    return date
  }
}

/** A commander argument parser for an option taking one of `values`. */
export function choiceOption<T extends string>(flag: string, values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value))
      throw cliError(
        'INVALID_OPTION',
        `${flag} is one of ${values.join(', ')} (got ${JSON.stringify(value.slice(0, 40))}).`,
      )
    return value as T
  }
}
