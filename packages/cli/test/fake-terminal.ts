import { Writable } from 'node:stream'

/** A stream that says it is a terminal and keeps what is written to it. */
export function fakeTerminal(): Writable & { written: string; isTTY: boolean; columns: number } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.written += String(chunk)
      done()
    },
  }) as Writable & { written: string; isTTY: boolean; columns: number }
  stream.written = ''
  stream.isTTY = true
  stream.columns = 80
  return stream
}
