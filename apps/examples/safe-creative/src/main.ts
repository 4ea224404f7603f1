import { run } from './run.js'

// Usage: node dist/main.js [file-to-register]
try {
  await run(process.env, (line) => console.log(line), process.argv[2])
} catch (error) {
  const e = error as { code?: string; message: string }
  console.error(`${e.code ?? 'ERROR'}: ${e.message}`)
  process.exitCode = 1
}
