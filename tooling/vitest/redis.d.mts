/** How to get the binary on Debian and Ubuntu. */
export declare const REDIS_INSTALL: string
/** The path of `redis-server` on PATH, or undefined. */
export declare function redisServerPath(): string | undefined
/** A redis-server started by a test. */
export interface TestRedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>/0` (with the password when one was set). */
  readonly url: string
  readonly pid: number | undefined
  /** SIGKILL, then start again on the same port and data directory (acknowledged writes survive). */
  restart(downMs?: number): Promise<void>
  /** SIGKILL, and stay down. */
  kill(): Promise<void>
  /** Stop and remove the data. */
  stop(): Promise<void>
}
/** Starts redis-server on a free loopback port with a fresh data directory (AOF, fsync always). */
export declare function startRedisServer(options?: {
  port?: number
  password?: string
}): Promise<TestRedisServer>
/** `describe` when redis-server is on PATH; skipped with the install command, or failing under CI=true. */
export declare function describeWithRedis(
  vitest: typeof import('vitest'),
  name: string,
  body: () => void,
): void
