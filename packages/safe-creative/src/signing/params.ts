import { safeCreativeError } from '../errors.js'

/** One request parameter, decoded: `[name, value]`. */
export type ParamPair = readonly [name: string, value: string]

/**
 * Parameters as a caller gives them: a record (entries whose value is `undefined` are left out, as the
 * Java SDK leaves out null parameters, §2.2) or an ordered list of pairs.
 */
export type ParamsInput = Readonly<Record<string, string | undefined>> | Iterable<readonly [string, string]>

/**
 * Validates parameters and returns them as pairs in the given order. Names and values must be strings
 * (`INVALID_ARGUMENT` names the parameter and the type found); names must be non-empty.
 */
export function toParamPairs(input: ParamsInput, what = 'parameters'): ParamPair[] {
  if (input === null || typeof input !== 'object')
    throw safeCreativeError(
      'INVALID_ARGUMENT',
      `The ${what} must be a record or a list of [name, value] pairs.`,
    )
  const out: ParamPair[] = []
  if (Symbol.iterator in input) {
    for (const pair of input as Iterable<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw safeCreativeError('INVALID_ARGUMENT', `Each of the ${what} must be a [name, value] pair.`)
      // Valid pairs are kept as they are (no copy): this runs for every signature.
      if (typeof pair[0] === 'string' && pair[0] !== '' && typeof pair[1] === 'string')
        out.push(pair as unknown as ParamPair)
      else out.push(checked(pair[0], pair[1], what))
    }
    return out
  }
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    out.push(checked(name, value, what))
  }
  return out
}

function checked(name: unknown, value: unknown, what: string): ParamPair {
  if (typeof name !== 'string' || name === '')
    throw safeCreativeError(
      'INVALID_ARGUMENT',
      `A parameter name in the ${what} is ${describe(name)}; names are non-empty strings.`,
    )
  if (typeof value !== 'string')
    throw safeCreativeError(
      'INVALID_ARGUMENT',
      `The value of "${name}" is ${describe(value)}; Safe Creative signs text, so pass String(value) (booleans as "true"/"false", numbers in decimal).`,
      { parameter: name, type: value === null ? 'null' : typeof value },
    )
  return [name, value]
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  return `a ${typeof value}`
}

/** The value of the first parameter called `name`, or undefined. */
export function paramValue(params: readonly ParamPair[], name: string): string | undefined {
  for (const [n, v] of params) if (n === name) return v
  return undefined
}

/** Names that occur more than once. */
export function duplicateNames(params: readonly ParamPair[]): string[] {
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (const [name] of params) {
    if (seen.has(name)) dup.add(name)
    seen.add(name)
  }
  return [...dup]
}
