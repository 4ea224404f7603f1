// Signing throughput of @sigwire/cloudkit against raw node:crypto, in one process.
//
//   pnpm --filter @sigwire/core --filter @sigwire/cloudkit build
//   node packages/cloudkit/scripts/sign-throughput.mjs [rounds] [opsPerRound]
//
// "raw" is the least a correct CloudKit signer must do per request: SHA-256 of the body (base64),
// format the date, build `date:hash:target`, and crypto.sign it with an already-imported KeyObject.
// "sigwire" is createCloudKitSigner(...).sign(request, clock) on the same request: the same work plus
// the token list, the headers and the masked trace. Rounds alternate between the two after a warm-up;
// the report gives the median ops/s of each, and the median of the per-round ratios (each raw round is
// paired with the sigwire round right after it, so load from other processes affects both alike).
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { createRequest, jsonBody, systemClock } from '@sigwire/core'
import { createCloudKitSigner } from '../dist/index.js'

const rounds = Number(process.argv[2] ?? 9)
const opsPerRound = Number(process.argv[3] ?? 20_000)

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = privateKey.export({ type: 'sec1', format: 'pem' }).toString()
const keyId = 'a'.repeat(64)
const request = createRequest({
  method: 'POST',
  url: 'https://api.apple-cloudkit.com/database/1/iCloud.com.example.app/development/public/records/query?ckjsBuildVersion=2420ProjectDev22&ckjsVersion=2.6.4&clientId=0f8fad5b-d9cb-469f-a165-70867728950e',
  body: jsonBody({
    query: {
      recordType: 'Note',
      filterBy: [
        { fieldName: 'title', comparator: 'EQUALS', fieldValue: { value: 'groceries', type: 'STRING' } },
      ],
      sortBy: [{ systemFieldName: 'modifiedTimestamp', ascending: false }],
    },
    resultsLimit: 10,
  }),
})
const body = request.body.inMemoryBytes()
const target = request.target
const signer = createCloudKitSigner({ keyId, privateKey: pem })

let sink = 0
function raw() {
  const hash = createHash('sha256').update(body).digest('base64')
  const date = `${new Date().toISOString().slice(0, 19)}Z`
  const signature = sign('sha256', Buffer.from(`${date}:${hash}:${target}`, 'utf8'), privateKey).toString(
    'base64',
  )
  const headers = {
    'x-apple-cloudkit-request-keyid': keyId,
    'x-apple-cloudkit-request-iso8601date': date,
    'x-apple-cloudkit-request-signaturev1': signature,
  }
  sink += headers['x-apple-cloudkit-request-signaturev1'].length
}
function ours() {
  const out = signer.sign(request, systemClock)
  // The transport keeps the trace with the response; it is read only when something fails.
  sink += out.headers['x-apple-cloudkit-request-signaturev1'].length + (out.trace ? 1 : 0)
}

function measure(fn) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < opsPerRound; i++) fn()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return opsPerRound / seconds
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

if (typeof signer.sign(request, systemClock).then === 'function')
  throw new Error('in-memory signing must be synchronous')
for (let i = 0; i < 3; i++) {
  measure(raw)
  measure(ours)
}
const rawRuns = []
const ourRuns = []
for (let i = 0; i < rounds; i++) {
  rawRuns.push(measure(raw))
  ourRuns.push(measure(ours))
}
const r = median(rawRuns)
const o = median(ourRuns)
const ratio = median(rawRuns.map((x, i) => ourRuns[i] / x))
console.log(`node ${process.version}, ${rounds} rounds x ${opsPerRound} ops, body ${body.byteLength} bytes`)
console.log(`raw crypto.sign + body hash : ${Math.round(r)} ops/s (median)`)
console.log(`sigwire CloudKitSigner.sign : ${Math.round(o)} ops/s (median)`)
console.log(
  `ratio sigwire/raw           : ${ratio.toFixed(3)} (median of per-round ratios; ratio of medians ${(o / r).toFixed(3)})`,
)
if (sink === 0) console.log('unreachable')
