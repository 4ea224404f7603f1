import { runExample } from './example.js'

try {
  await runExample(process.env, (line) => console.log(line))
} catch (error) {
  console.error(
    error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : error,
  )
  process.exitCode = 1
}
