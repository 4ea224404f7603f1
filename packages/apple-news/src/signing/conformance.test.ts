import { createHmac } from 'node:crypto'
import { describeSignerConformance } from '@sigwire/conformance'
import { bytesBody, createRequest } from '@sigwire/core'
import { vectorBody, vectors } from '../__fixtures__/vectors.js'
import { formatAppleNewsAuthorization, parseAppleNewsAuthorization } from './authorization.js'
import { createAppleNewsSigner } from './signer.js'
import { verifyAppleNewsRequest } from './verify.js'

const signer = createAppleNewsSigner({ keyId: vectors.apiKeyId, secret: vectors.apiSecret })
const key = Buffer.from(vectors.apiSecretDecodedHex, 'hex')

// The positive cases of shared/vectors/apple-news.json (Python's hmac, OpenSSL, the apple-news package).
describeSignerConformance({
  name: 'Apple News',
  signer,
  cases: vectors.cases.map((v) => ({
    id: v.id,
    request: createRequest({
      method: v.method,
      url: v.url,
      headers: v.contentType ? { 'content-type': v.contentType } : {},
      body: bytesBody(vectorBody(v.bodyBase64)),
    }),
    date: new Date(v.date),
    stringToSign: new Uint8Array(Buffer.from(v.canonicalRequestBase64, 'base64')),
    signature: v.signature,
  })),
  deterministic: true,
  signatureOf: (output) => {
    const parsed = parseAppleNewsAuthorization(output.headers!.authorization)
    return parsed.ok ? parsed.params.signature! : ''
  },
  signString: (message) => createHmac('sha256', key).update(message).digest('base64'),
  withSignature: (request, signature) => {
    const parsed = parseAppleNewsAuthorization(request.headers.authorization as string)
    if (!parsed.ok) throw new Error(parsed.message)
    const authorization = formatAppleNewsAuthorization({
      keyId: parsed.params.key!,
      signature,
      date: parsed.params.date!,
    })
    return { ...request, headers: { ...request.headers, authorization } }
  },
  verify: (request, { now, signedString }) =>
    verifyAppleNewsRequest(request, {
      secret: vectors.apiSecret,
      now,
      ...(signedString === undefined ? {} : { signedString }),
    }),
})
