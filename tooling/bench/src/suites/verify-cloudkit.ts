import { createHash, createPublicKey, verify } from 'node:crypto'
import { createCloudKitSigner } from '@sigwire/cloudkit'
import { verifyCloudKitRequest } from '@sigwire/cloudkit/doctor'
import { createRequest, jsonBody, type SignOutput, systemClock } from '@sigwire/core'
import type { Subject } from '../measure.js'
import { CLOUDKIT_QUERY, CLOUDKIT_TARGET, consume, p256 } from './fixtures.js'

/** CloudKit: the emulator's verifier vs raw crypto.verify with a KeyObject plus the body hash. */
export function cloudKitVerifySubjects(): Subject[] {
  const key = p256()
  const publicKey = createPublicKey(key.publicPem)
  const signer = createCloudKitSigner({ keyId: 'a'.repeat(64), privateKey: key.pem })
  const request = createRequest({
    method: 'POST',
    url: `https://api.apple-cloudkit.com${CLOUDKIT_TARGET}`,
    body: jsonBody(CLOUDKIT_QUERY),
  })
  const body = request.body.inMemoryBytes()!
  const headers = (signer.sign(request, systemClock) as SignOutput).headers!
  const received = { method: 'POST', target: request.target, headers, body }
  const date = headers['x-apple-cloudkit-request-iso8601date']!
  const signature = headers['x-apple-cloudkit-request-signaturev1']!
  const raw = () => {
    const hash = createHash('sha256').update(body).digest('base64')
    const message = Buffer.from(`${date}:${hash}:${request.target}`)
    const ok = verify(
      'sha256',
      message,
      { key: publicKey, dsaEncoding: 'der' },
      Buffer.from(signature, 'base64'),
    )
    if (!ok) throw new Error('raw CloudKit verify failed')
  }
  const ours = () => {
    const result = verifyCloudKitRequest(received, { publicKey, now: Date.now() })
    if (!result.ok) throw new Error(`verifyCloudKitRequest: ${result.reason}`)
  }
  consume(1)
  return [
    { name: 'raw crypto.verify (KeyObject) + body hash', run: raw },
    { name: 'sigwire verifyCloudKitRequest', run: ours },
  ]
}
