// Runs emulators for the round-trip, peer and memory benchmarks in their own process, so the server's
// work (and memory) is not counted in the client's process. Usage: node dist/serve.js '<json spec>'.
// Prints one JSON line with each server's URL and dev credentials, then runs until stdin closes.
import {
  startAppleNewsEmulator,
  startCloudKitEmulator,
  startICloudEmulator,
  startSafeCreativeEmulator,
} from '@sigwire/emulator'
import { startFileServer } from './file-server.js'

interface Spec {
  cloudkit?: Record<string, unknown>
  safeCreative?: Record<string, unknown>
  appleNews?: Record<string, unknown>
  icloud?: Record<string, unknown>
  /** A plain HTTP file server for this directory. */
  files?: { dir: string }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec
const closers: Array<() => Promise<void>> = []
const info: Record<string, unknown> = {}
if (spec.cloudkit) {
  const emulator = await startCloudKitEmulator(spec.cloudkit)
  closers.push(() => emulator.close())
  info.cloudkit = { url: emulator.url, dev: emulator.dev }
}
if (spec.safeCreative) {
  const emulator = await startSafeCreativeEmulator(spec.safeCreative)
  closers.push(() => emulator.close())
  info.safeCreative = { url: emulator.apiUrl, dev: emulator.dev }
}
if (spec.appleNews) {
  const emulator = await startAppleNewsEmulator(spec.appleNews)
  closers.push(() => emulator.close())
  info.appleNews = {
    url: emulator.url,
    dev: emulator.dev,
    publicOrigin: emulator.publicOrigin,
    certificate: emulator.certificate,
  }
}
if (spec.icloud) {
  const emulator = await startICloudEmulator(spec.icloud)
  closers.push(() => emulator.close())
  info.icloud = { url: emulator.url, dev: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl } }
}
if (spec.files) {
  const server = await startFileServer(spec.files.dir)
  closers.push(() => server.close())
  info.files = { url: server.url }
}
process.stdout.write(`${JSON.stringify(info)}\n`)
process.stdin.resume()
process.stdin.on('end', async () => {
  await Promise.all(closers.map((close) => close()))
  process.exit(0)
})
