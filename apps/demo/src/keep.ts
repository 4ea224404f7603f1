import { startEmulatorUi, type UiService } from '@sigwire/emulator-ui'

/** What the steps do with their emulator when they are done: close it, or keep it up for a person. */
export interface Keeper {
  /** True with `pnpm demo --keep`. */
  readonly keep: boolean
  /** Closes now, or with `keep` holds the emulator (shown in the web UI) until {@link Keeper.closeAll}. */
  release(service: UiService | undefined, close: () => Promise<void>): Promise<void>
  /** The emulators held. */
  readonly services: readonly UiService[]
  /** Closes every held emulator. */
  closeAll(): Promise<void>
}

/** A keeper that closes at once (`keep` false) or holds emulators for the web UI. */
export function createKeeper(keep: boolean): Keeper {
  const services: UiService[] = []
  const closers: Array<() => Promise<void>> = []
  return {
    keep,
    services,
    async release(service, close) {
      if (!keep || service === undefined) return close()
      services.push(service)
      closers.push(close)
    },
    async closeAll() {
      for (const close of closers.splice(0)) await close()
    },
  }
}

/**
 * `pnpm demo --keep`: serves the web UI over the emulators the demo kept, prints its URL and waits for
 * Ctrl-C, then closes everything.
 */
export async function keepUntilInterrupted(keeper: Keeper, print: (line: string) => void): Promise<void> {
  const ui = await startEmulatorUi({ services: keeper.services })
  print(`\nemulators kept up; web UI (every request of the run, state, faults): ${ui.url}`)
  print('press Ctrl-C to stop')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await ui.close()
  await keeper.closeAll()
}
