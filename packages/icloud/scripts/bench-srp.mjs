// One-off benchmark: the time to compute an SRP client proof (A, then M1 and M2 from salt, B and the
// derived password key) with @sigwire/icloud (native modular exponentiation through node:crypto) and
// with @foxt/js-srp 0.0.3-patch2 in its GSA mode (pure-JS BigInt), for the same inputs, in one run.
// PBKDF2 is left out: both would use the same native implementation.
// Run: pnpm --filter @sigwire/icloud bench   (builds the package and its dependencies, then runs this file)
import { readFileSync } from 'node:fs'
import { Hash, Mode, Srp } from '@foxt/js-srp'
import { vectorsDir } from '@sigwire/vitest-config/vectors'
import { createSrpClient } from '../dist/index.js'

const vectors = JSON.parse(readFileSync(`${vectorsDir()}/icloud-srp.json`, 'utf8'))
const hex = (s) => new Uint8Array(Buffer.from(s, 'hex'))
const b64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function time(fn, warmup, runs) {
  for (let i = 0; i < warmup; i++) await fn()
  const samples = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    samples.push(performance.now() - t)
  }
  return median(samples)
}

const jsSrp = new Srp(Mode.GSA, Hash.SHA256, 2048)
const rows = []
for (const c of vectors.cases) {
  const input = { accountName: c.accountName, passwordKey: hex(c.p), salt: b64(c.salt), B: b64(c.B) }
  const ours = () => createSrpClient({ a: hex(c.a) }).computeProof(input)
  const theirs = async () => {
    const client = await jsSrp.newClient(
      new TextEncoder().encode(c.accountName),
      hex(c.p),
      BigInt(`0x${c.a}`),
    )
    await client.generate(input.salt, input.B)
    return { m1: client.M, m2: await client.generateM2() }
  }
  const a = ours()
  const b = await theirs()
  const same = Buffer.from(a.m1).equals(Buffer.from(b.m1)) && Buffer.from(a.m2).equals(Buffer.from(b.m2))
  const expected = Buffer.from(a.m1).toString('base64') === c.M1
  const oursMs = await time(ours, 20, 200)
  const theirsMs = await time(theirs, 5, 40)
  rows.push({
    vector: c.id,
    sigwireMs: +oursMs.toFixed(3),
    jsSrpMs: +theirsMs.toFixed(3),
    ratio: +(theirsMs / oursMs).toFixed(1),
    sameM1M2: same,
    matchesVector: expected,
  })
}
console.log(
  `node ${process.version}, ${process.arch}; median of 200 (sigwire) / 40 (js-srp) runs after warm-up`,
)
console.table(rows)

// Supplementary: each library with its own default private value (sigwire 32 random bytes, js-srp
// 256 random bytes), as they run in practice. Different a, so M1 differs by construction.
{
  const c = vectors.cases[0]
  const input = { accountName: c.accountName, passwordKey: hex(c.p), salt: b64(c.salt), B: b64(c.B) }
  const ours = () => createSrpClient().computeProof(input)
  const theirs = async () => {
    const client = await jsSrp.newClient(new TextEncoder().encode(c.accountName), hex(c.p))
    await client.generate(input.salt, input.B)
    return client.generateM2()
  }
  const oursMs = await time(ours, 20, 200)
  const theirsMs = await time(theirs, 3, 20)
  console.log('default private values (sigwire a: 32 bytes, js-srp a: 256 bytes):')
  console.table([
    { sigwireMs: +oursMs.toFixed(3), jsSrpMs: +theirsMs.toFixed(3), ratio: +(theirsMs / oursMs).toFixed(1) },
  ])
}
if (rows.some((r) => !r.sameM1M2 || !r.matchesVector)) {
  console.error('M1/M2 differ between the implementations or from the vector')
  process.exitCode = 1
}
