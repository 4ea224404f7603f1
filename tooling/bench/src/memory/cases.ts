import type { ServerInfo } from '../servers.js'

/** What a measured child process is given. */
export interface CaseInput {
  readonly servers: Record<string, ServerInfo>
  /** The file whose bytes are sent. */
  readonly file: string
  readonly bytes: number
}

/**
 * A memory case module exports `prepare`: it builds the client (counted in the baseline) and returns
 * `send`, which signs and sends the file body and throws unless the server accepted it.
 */
export interface MemoryCase {
  prepare(input: CaseInput): Promise<{ send(): Promise<void>; close(): Promise<void> }>
}
