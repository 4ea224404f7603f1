import { cpus, totalmem } from 'node:os'

/** Facts about the machine a benchmark ran on. */
export interface Machine {
  readonly date: string
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly platform: string
}

/** Describes this machine. */
export function describeMachine(): Machine {
  const list = cpus()
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}
