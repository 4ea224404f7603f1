import { subscribe, unsubscribe } from 'node:diagnostics_channel'

/**
 * undici's documented channel for a request about to be written to its socket
 * (undici.nodejs.org/#/docs/api/DiagnosticsChannel, `undici:client:sendHeaders`). Channels are
 * process-wide by name, so it hears the transport's own undici whatever copy is installed.
 */
const SEND_HEADERS = 'undici:client:sendHeaders'

/** Work started by {@link whileRequestInFlight}. */
export interface InFlightWork {
  /** Runs the work now if no request went out meanwhile; throws what the work threw. */
  settle(): void
  /** Drops the work if it has not run yet (the request it waited for failed). */
  cancel(): void
}

/**
 * Runs `work`, a synchronous piece of some milliseconds, just after this process's next HTTP request
 * is written, so that it overlaps that request's round trip instead of adding to it. The CLI opens a
 * sync's SQLite state this way while the session check is in flight: the open takes about 35 ms on the
 * benchmark machine (V8 compiling the WebAssembly SQLite on first use), which a round trip to a remote
 * server hides in part or whole (against the local emulator, whose round trip is about 7 ms, it saves
 * only that). The work runs on the next turn of the event loop, not inside undici's write.
 */
export function whileRequestInFlight(work: () => void): InFlightWork {
  let state: 'waiting' | 'scheduled' | 'done' = 'waiting'
  let failure: { error: unknown } | undefined
  let immediate: NodeJS.Immediate | undefined
  const run = () => {
    state = 'done'
    try {
      work()
    } catch (error) {
      failure = { error }
    }
  }
  const onSend = () => {
    unsubscribe(SEND_HEADERS, onSend)
    if (state !== 'waiting') return
    state = 'scheduled'
    immediate = setImmediate(run)
  }
  subscribe(SEND_HEADERS, onSend)
  return {
    settle() {
      unsubscribe(SEND_HEADERS, onSend)
      if (immediate) clearImmediate(immediate)
      if (state !== 'done') run()
      if (failure) throw failure.error
    },
    cancel() {
      unsubscribe(SEND_HEADERS, onSend)
      if (immediate) clearImmediate(immediate)
      state = 'done'
    },
  }
}
