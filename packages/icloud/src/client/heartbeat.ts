import type { CallOptions } from '@sigwire/core'
import { callOptions, type ServiceCaller } from './service-caller.js'

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops it (also stopped by the client's `close()`). */
  stop(): void
  /** Beats sent so far. */
  readonly beats: number
}

/**
 * `GET {push}/refreshWebAuth` (docs/protocols/icloud.md §8.10): the 2016 web app's keep-alive, which extends
 * the session cookie. Optional: modern clients rely on `validate` and re-login.
 */
export interface HeartbeatApi {
  /** Sends one heartbeat. */
  refresh(options?: CallOptions): Promise<void>
  /** Sends a heartbeat every `intervalMs` until stopped or the client closes. Errors go to `onError`. */
  start(intervalMs: number, onError?: (error: unknown) => void): Heartbeat
  /** Stops every heartbeat (called by the client's `close()`). */
  stopAll(): void
}

/** The {@link HeartbeatApi} of a session. */
export class HeartbeatService implements HeartbeatApi {
  readonly #running = new Set<() => void>()

  constructor(readonly caller: ServiceCaller) {}

  async refresh(options: CallOptions = {}): Promise<void> {
    await this.caller.call('push', 'GET', '/refreshWebAuth', callOptions(options))
  }

  start(intervalMs: number, onError: (error: unknown) => void = () => {}): Heartbeat {
    let beats = 0
    const controller = new AbortController()
    const timer = setInterval(() => {
      this.refresh({ signal: controller.signal }).then(
        () => {
          beats++
        },
        (error: unknown) => {
          if (!controller.signal.aborted) onError(error)
        },
      )
    }, intervalMs)
    timer.unref()
    const stop = () => {
      clearInterval(timer)
      controller.abort()
      this.#running.delete(stop)
    }
    this.#running.add(stop)
    return {
      stop,
      get beats() {
        return beats
      },
    }
  }

  stopAll(): void {
    for (const stop of [...this.#running]) stop()
  }
}
