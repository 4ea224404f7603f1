/**
 * Runs at most `size` tasks at once; the first fatal error stops the run: no queued task starts after
 * it, and the waits below throw it only once the tasks already running have settled, so nothing is
 * still writing into the target when the sync reports the error.
 */
export class Pool {
  readonly #size: number
  readonly #queueLimit: number
  readonly #queue: Array<() => Promise<void>> = []
  #active = 0
  #waiters: Array<() => void> = []
  /** The first fatal error, boxed: whatever was thrown, even `undefined`, stops the pool. */
  #fatal: { readonly error: unknown } | undefined
  /** Set by a fatal error or {@link Pool.stop}: no queued task starts any more. */
  #halted = false

  /** `size` tasks run at once; {@link Pool.backpressure} waits while `queueLimit` or more are queued. */
  constructor(size: number, queueLimit: number) {
    this.#size = Math.max(1, size)
    this.#queueLimit = queueLimit
  }

  /**
   * Queues `task`; it starts when fewer than `size` run, unless the pool has halted by then. A task
   * given to a halted pool is dropped: queued, it would never start, and {@link Pool.drain} would wait
   * for it for ever.
   */
  run(task: () => Promise<void>): void {
    if (this.#halted) return
    this.#queue.push(task)
    this.#pump()
  }

  #pump(): void {
    while (!this.#halted && this.#active < this.#size && this.#queue.length > 0) {
      const task = this.#queue.shift()!
      this.#active++
      task()
        .catch((error: unknown) => {
          this.#fatal ??= { error }
          this.#halt()
        })
        .finally(() => {
          this.#active--
          this.#pump()
          for (const wake of this.#waiters.splice(0)) wake()
        })
    }
  }

  async #until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise<void>((resolve) => this.#waiters.push(resolve))
    if (this.#fatal) throw this.#fatal.error
  }

  /**
   * Waits while `queueLimit` or more tasks are queued, so a producer of any length keeps memory
   * constant. After a fatal error it waits for the running tasks instead, then throws the error.
   */
  backpressure(): Promise<void> {
    return this.#until(() =>
      this.#fatal === undefined ? this.#queue.length < this.#queueLimit : this.#active === 0,
    )
  }

  /** Starts no queued task any more and waits for the running ones, whatever they end with. */
  async stop(): Promise<void> {
    this.#halt()
    while (this.#active > 0) await new Promise<void>((resolve) => this.#waiters.push(resolve))
  }

  #halt(): void {
    this.#halted = true
    this.#queue.length = 0
  }

  /** Waits for every task; after a fatal error, for the running ones, then throws the error. */
  drain(): Promise<void> {
    return this.#until(() => this.#active === 0 && this.#queue.length === 0)
  }
}
