// One iCloud Drive transfer in its own process (see suites/icloud-drive): signs in, records the
// baseline RSS, runs the transfer, and prints one JSON line with its time and the peak RSS, so only
// this transfer's client is in the figures.
import { createWriteStream } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createICloudClient } from '@sigwire/icloud'
import { request } from 'undici'
import { readRss } from './memory/rss.js'

/** What the parent asks for. */
export interface DriveChildInput {
  readonly op: 'sigwire-file' | 'undici-file' | 'sigwire-stream' | 'undici-stream' | 'sigwire-upload'
  readonly authUrl: string
  readonly setupUrl: string
  readonly appleId: string
  readonly password: string
  /** The Drive file (downloads) or folder (uploads). */
  readonly drivePath: string
  /** The local file written (downloads) or read (uploads). */
  readonly file: string
}

const input = JSON.parse(process.argv[2] ?? '{}') as DriveChildInput
const client = createICloudClient({
  appleId: input.appleId,
  password: input.password,
  endpoints: { authUrl: input.authUrl, setupUrl: input.setupUrl },
  allowHosts: ['127.0.0.1'],
  allowInsecureLoopback: true,
  transport: { proxy: false, timeoutMs: 900_000 },
})
await client.login()
const item = await client.drive.lookup(input.drivePath)
const url = input.op.startsWith('undici') ? await client.drive.contentUrl(item) : ''
let bytes = 0
const counter = () =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.byteLength
      done()
    },
  })
const baseline = readRss()
const started = performance.now()
switch (input.op) {
  case 'sigwire-file':
    bytes = (await client.drive.downloadToFile(item, input.file)).bytes
    break
  case 'sigwire-stream':
    await pipeline(await client.drive.download(item), counter())
    break
  case 'undici-file': {
    // Bare undici doing the same work: the body into a temporary file, fsynced, renamed into place.
    const temp = `${input.file}.undici-tmp`
    const response = await request(url)
    await pipeline(response.body, createWriteStream(temp))
    const handle = await open(temp, 'r+')
    await handle.sync()
    await handle.close()
    await rename(temp, input.file)
    bytes = item.size ?? 0
    break
  }
  case 'undici-stream': {
    const response = await request(url)
    await pipeline(response.body, counter())
    break
  }
  case 'sigwire-upload': {
    const uploaded = await client.drive.upload(input.file, item, { name: `upload-${process.pid}.bin` })
    bytes = uploaded.size ?? 0
    break
  }
}
const seconds = (performance.now() - started) / 1000
const peak = readRss()
await client.close()
process.stdout.write(
  `${JSON.stringify({ seconds, bytes, baselineMiB: baseline.rssMiB, peakMiB: peak.peakMiB })}\n`,
)
process.exit(0)
