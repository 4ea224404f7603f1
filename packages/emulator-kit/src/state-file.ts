import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '@sigwire/core'

/**
 * An emulator's state, kept in memory and, when a state directory is given, persisted to
 * `<dir>/<name>.json` with atomic writes (coalesced while requests are in flight, flushed on close), so
 * it survives a restart.
 */
export class StateFile<T> {
  /** The live state. Mutate it, then call {@link StateFile.changed}. */
  data: T
  readonly #path: string | undefined
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()

  private constructor(data: T, path: string | undefined) {
    this.data = data
    this.#path = path
  }

  /** Loads `<dir>/<name>.json` if it exists, else starts from `initial()`. Without `dir`, state is memory-only. */
  static async open<T>(dir: string | undefined, name: string, initial: () => T): Promise<StateFile<T>> {
    if (dir === undefined) return new StateFile(initial(), undefined)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const path = join(dir, `${name}.json`)
    try {
      return new StateFile(JSON.parse(await readFile(path, 'utf8')) as T, path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      const state = new StateFile(initial(), path)
      await state.flush()
      return state
    }
  }

  /** True when the state is persisted to a file. */
  get persistent(): boolean {
    return this.#path !== undefined
  }

  /** Schedules a write of the current state (coalesced over 25 ms). */
  changed(): void {
    if (this.#path === undefined || this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.flush()
    }, 25)
    this.#timer.unref()
  }

  /** Writes the state now (atomically, mode 0600) and waits for it. */
  async flush(): Promise<void> {
    if (this.#path === undefined) return
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    const path = this.#path
    const text = JSON.stringify(this.data)
    this.#writing = this.#writing.then(async () => {
      await writeFileAtomic(path, text)
    })
    await this.#writing
  }
}
