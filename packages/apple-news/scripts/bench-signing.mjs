// Signing throughput of @sigwire/apple-news against a bare node:crypto HMAC-SHA256 of the same
// canonical bytes, measured in one run. One-off measurement script (not part of the test suite):
//   pnpm --filter @sigwire/apple-news build && node packages/apple-news/scripts/bench-signing.mjs
// Median of RUNS timed runs of ITERATIONS signatures each, after a warm-up.
import { createHmac } from 'node:crypto'
import { bytesBody, createRequest, fixedClock, renderTokens } from '@sigwire/core'
import { createAppleNewsSigner } from '../dist/index.js'

const RUNS = 9
const ITERATIONS = 100_000
const keyId = '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b'
const secret = 'gAAzV+Mbq54Tc+twjFe544Mrv3ENn/a983ZDJ7k7grc='
const key = Buffer.from(secret, 'base64')
const signer = createAppleNewsSigner({ keyId, secret })
const clock = fixedClock('2026-03-14T15:09:26Z')

const cases = [
  {
    name: 'GET channel',
    request: createRequest({
      method: 'GET',
      url: 'https://news-api.apple.com/channels/c0ffee00-1234-4abc-8def-0123456789ab',
    }),
  },
  {
    name: 'GET search with query',
    request: createRequest({
      method: 'GET',
      url: 'https://news-api.apple.com/channels/c0ffee00-1234-4abc-8def-0123456789ab/articles?pageSize=2&sortDir=ASC',
    }),
  },
  {
    name: 'POST promotedArticles (JSON, 70 B)',
    request: createRequest({
      method: 'POST',
      url: 'https://news-api.apple.com/sections/a3caeb08-b9db-4002-b379-cde305d74be7/promotedArticles',
      headers: { 'content-type': 'application/json' },
      body: bytesBody(Buffer.from('{"data":{"promotedArticles":["F59D1784-CAFC-432A-9A1A-EF2FCE1E1C60"]}}')),
    }),
  },
  {
    name: 'POST article (multipart, 16 KiB)',
    request: createRequest({
      method: 'POST',
      url: 'https://news-api.apple.com/channels/c0ffee00-1234-4abc-8def-0123456789ab/articles',
      headers: { 'content-type': 'multipart/form-data; boundary=535e329ca936f79a19ac9a251f7d48f7' },
      body: bytesBody(Buffer.alloc(16 * 1024, 0x61)),
    }),
  },
]

function time(fn) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

let sink = 0
console.log(`node ${process.version}, ${ITERATIONS} signatures per run, median of ${RUNS} runs after warm-up`)
console.log('case                                 sigwire sign() ops/s   raw HMAC ops/s   ratio')
for (const { name, request } of cases) {
  const date = `${clock.now().toISOString().slice(0, 19)}Z`
  // The exact bytes sigwire signs, computed once: the raw baseline only pays for HMAC + base64.
  const canonical = renderTokens(signer.tokens(request, date))
  const ours = () => {
    const out = signer.sign(request, clock)
    sink += out.headers.authorization.length
  }
  const raw = () => {
    sink += createHmac('sha256', key).update(canonical).digest('base64').length
  }
  // Check both produce the same signature before timing.
  const header = signer.sign(request, clock).headers.authorization
  if (!header.includes(createHmac('sha256', key).update(canonical).digest('base64')))
    throw new Error('mismatch')
  for (let i = 0; i < 3; i++) {
    time(ours)
    time(raw)
  }
  const oursRuns = []
  const rawRuns = []
  for (let i = 0; i < RUNS; i++) {
    oursRuns.push(ITERATIONS / time(ours))
    rawRuns.push(ITERATIONS / time(raw))
  }
  const a = median(oursRuns)
  const b = median(rawRuns)
  console.log(
    `${name.padEnd(36)} ${Math.round(a).toLocaleString('en').padStart(20)} ${Math.round(b).toLocaleString('en').padStart(16)}   ${(a / b).toFixed(2)}x`,
  )
}
if (sink === 0) console.log('')
