import { createHash, timingSafeEqual } from 'node:crypto'
import { createRequest, fixedClock, formatQueryPairs, type SignOutput } from '@sigwire/core'
import { buildStringToSign, createSafeCreativeSigner, paramValue } from '@sigwire/safe-creative'
import { verifySafeCreativeRequest } from '@sigwire/safe-creative/doctor'
import type { Subject } from '../measure.js'

const AUTHKEY = { authkey: '7p2m9x4k1c8v5b3n6q0w2e4r7', privateKey: 'h5j8k2l4m6n9b1v3c5x7z0q2w' }
const NOW = 1_773_500_970_000

/** Safe Creative: the emulator's verifier vs a raw SHA-1 of the same string + a constant-time compare. */
export function safeCreativeVerifySubjects(): Subject[] {
  const signer = createSafeCreativeSigner({
    sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9',
    privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t',
    authkey: AUTHKEY,
  })
  const input: Array<[string, string]> = [
    ['component', 'work.register'],
    ['noncekey', '4vrghpn0n8jxrrvoi3b7zta1c'],
    ['title', 'Canción ñ — 作品'],
    ['worktype', 'music'],
    ['tags', 'tag1, tag2'],
  ]
  const { params } = signer.signParams(input, NOW)
  const string = buildStringToSign(AUTHKEY.privateKey, params).render()
  const provided = Buffer.from(paramValue(params, 'signature')!)
  const request = createRequest({ method: 'GET', url: 'https://api.safecreative.org/v2/', query: input })
  const signed = signer.sign(request, fixedClock(NOW)) as SignOutput
  const target = `/v2/?${formatQueryPairs([...input, ...signed.query!])}`
  const received = { method: 'GET', target, headers: {}, body: new Uint8Array(0) }
  const raw = () => {
    const digest = Buffer.from(createHash('sha1').update(string, 'utf8').digest('hex'))
    if (!timingSafeEqual(digest, provided)) throw new Error('raw Safe Creative verify failed')
  }
  const ours = () => {
    const result = verifySafeCreativeRequest(received, {
      privateKeys: { authkey: AUTHKEY.privateKey },
      skipTimeCheck: true,
    })
    if (!result.ok) throw new Error(`verifySafeCreativeRequest: ${result.reason}`)
  }
  return [
    { name: 'raw SHA-1 of the same string + timingSafeEqual', run: raw },
    { name: 'sigwire verifySafeCreativeRequest (parses the query, builds, hashes)', run: ours },
  ]
}
