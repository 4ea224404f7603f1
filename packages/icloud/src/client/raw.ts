/**
 * A JSON value from a service, read field by field with explicit conversions (`String(x)`,
 * `Number(x)`, `Array.isArray`) before anything reaches a typed result.
 */
// biome-ignore lint/suspicious/noExplicitAny: service JSON is narrowed field by field where it is read
export type Raw = any
