import { run } from './run.js'

try {
  await run()
} catch (error) {
  const e = error as { code?: string; message?: string }
  console.error(`${e.code ?? 'ERROR'}: ${e.message ?? String(error)}`)
  process.exitCode = 1
}
