import { publishExample } from './publish.js'

try {
  await publishExample(process.env, (line) => console.log(line))
} catch (error) {
  const e = error as Error & { code?: string }
  console.error(`${e.code ?? e.name}: ${e.message}`)
  process.exitCode = 1
}
