// NODE_DEBUG is read once at process start, so vitest.config.ts sets it before the test workers are
// forked; this setup file keeps sigwire's debug lines out of the test output and lets tests read them.
const captured: string[] = []
const write = process.stderr.write.bind(process.stderr)
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
  if (text.startsWith('SIGWIRE ')) {
    captured.push(text)
    return true
  }
  return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
}) as typeof process.stderr.write
;(globalThis as { __sigwireDebugLines?: string[] }).__sigwireDebugLines = captured
