// One-off measurement: Safe Creative signing throughput against a bare SHA-1 of the same string.
// Usage (after `pnpm --filter @sigwire/safe-creative build`):
//   node packages/safe-creative/scripts/bench-signing.mjs
// Each function runs ~250 ms per sample, samples interleaved across functions, after a warm-up; the
// median of 9 samples is reported.
import { createHash } from 'node:crypto'
import { createRequest, fixedClock } from '@sigwire/core'
import { buildStringToSign, createSafeCreativeSigner } from '../dist/index.js'

const SAMPLES = 9
const SAMPLE_MS = 250

const auth = { authkey: '7p2m9x4k1c8v5b3n6q0w2e4r7', privateKey: 'h5j8k2l4m6n9b1v3c5x7z0q2w' }
const signer = createSafeCreativeSigner({
  sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9',
  privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t',
  authkey: auth,
})
const now = 1773500970000
const clock = fixedClock(now)

const cases = {
  'work.list (4 params)': [
    ['component', 'work.list'],
    ['page', '2'],
  ],
  'work.register (10 params, unicode)': [
    ['component', 'work.register'],
    ['noncekey', '4vrghpn0n8jxrrvoi3b7zta1c'],
    ['title', 'Canción ñ — 作品'],
    ['excerpt', 'Letra & música = amor'],
    ['worktype', 'music'],
    ['license', 'https://creativecommons.org/licenses/by/4.0/'],
    ['tags', 'tag1, tag2'],
    ['text', 'La la la '.repeat(20)],
  ],
}

/** Rate of each function in ops/s: samples interleaved across the functions (so machine load hits all alike), median. */
function measureAll(fns) {
  for (const fn of fns) for (let i = 0; i < 50_000; i++) fn() // warm-up
  const rates = fns.map(() => [])
  for (let s = 0; s < SAMPLES; s++) {
    fns.forEach((fn, k) => {
      let n = 0
      const start = process.hrtime.bigint()
      const until = start + BigInt(SAMPLE_MS * 1e6)
      let t = start
      while (t < until) {
        for (let i = 0; i < 256; i++) fn()
        n += 256
        t = process.hrtime.bigint()
      }
      rates[k].push(n / (Number(t - start) / 1e9))
    })
  }
  return rates.map((r) => r.sort((a, b) => a - b)[Math.floor(SAMPLES / 2)])
}

const fmt = (x) => `${Math.round(x).toLocaleString('en-US')} ops/s`
console.log(`node ${process.version}, median of ${SAMPLES} x ${SAMPLE_MS} ms after warm-up\n`)
for (const [name, params] of Object.entries(cases)) {
  const signed = signer.signParams(params, now)
  const string = buildStringToSign(auth.privateKey, signed.params).render()
  const request = createRequest({ method: 'GET', url: 'https://api.safecreative.org/v2/', query: params })
  let sink = 0
  const [raw, signature, signParams, sign] = measureAll([
    () => {
      sink ^= createHash('sha1').update(string, 'utf8').digest('hex').charCodeAt(0)
    },
    () => {
      sink ^= buildStringToSign(auth.privateKey, signed.params).signature().charCodeAt(0)
    },
    () => {
      sink ^= signer.signParams(params, now).signature.charCodeAt(0)
    },
    () => {
      sink ^= signer.sign(request, clock).query.length
    },
  ])
  console.log(`${name}: string to sign ${Buffer.byteLength(string)} bytes`)
  console.log(`  bare SHA-1 of the string               ${fmt(raw)}`)
  console.log(
    `  signature (build string + SHA-1)       ${fmt(signature)}  ${(signature / raw).toFixed(2)}x raw`,
  )
  console.log(
    `  signer.signParams (validate, key, trace) ${fmt(signParams)}  ${(signParams / raw).toFixed(2)}x raw`,
  )
  console.log(`  signer.sign(request) (parse query, trace) ${fmt(sign)}  ${(sign / raw).toFixed(2)}x raw`)
  if (sink === 0.5) console.log('')
}
