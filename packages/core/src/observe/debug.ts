import { debuglog } from 'node:util'

/**
 * sigwire's debug log: enabled with `NODE_DEBUG=sigwire`. Everything written here has already been
 * through a {@link Redactor}.
 */
export const debug: ((message: string, ...args: unknown[]) => void) & {
  /** True when `NODE_DEBUG` names `sigwire`; check it before building an expensive message. */
  enabled: boolean
} = debuglog('sigwire')
