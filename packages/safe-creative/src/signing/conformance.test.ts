import { createHash } from 'node:crypto'
import { describeSignerConformance } from '@sigwire/conformance'
import { createRequest, utf8Encode } from '@sigwire/core'
import { signedVectors } from './__fixtures__/vectors.js'
import { createSafeCreativeSigner } from './signer.js'
import { verifySafeCreativeRequest } from './verify.js'

const appKey = signedVectors.find((v) => v.signingKey === 'app')!.privateKey!
const authPrivateKey = signedVectors.find((v) => v.signingKey === 'authkey')!.privateKey!
const param = (name: string) => signedVectors.flatMap((v) => v.params).find(([n]) => n === name)![1]
const privateKeys = { app: appKey, authkey: authPrivateKey }
const signer = createSafeCreativeSigner({
  sharedKey: param('sharedkey'),
  privateKey: appKey,
  authkey: { authkey: param('authkey'), privateKey: authPrivateKey },
})

// The signed cases of shared/vectors/safe-creative.json (Python hashlib, cross-checked with OpenSSL):
// sent without ztime and signature, which the signer adds at the vector's ztime.
describeSignerConformance({
  name: 'Safe Creative',
  signer,
  cases: signedVectors.map((v) => ({
    id: v.id,
    request: createRequest({
      method: 'GET',
      url: 'https://api.safecreative.org/v2/',
      query: v.params.filter(([name]) => name !== 'ztime'),
    }),
    date: new Date(Number(v.params.find(([name]) => name === 'ztime')![1])),
    stringToSign: utf8Encode(v.stringToSign!),
    signature: v.signature!,
  })),
  deterministic: true,
  signatureOf: (output) => output.query!.find(([name]) => name === 'signature')![1],
  signString: (message) => createHash('sha1').update(message).digest('hex'),
  withSignature: (request, signature) => ({
    ...request,
    target: request.target.replace(/([?&])signature=[^&]*/, `$1signature=${signature}`),
  }),
  verify: (request, { now, signedString }) =>
    verifySafeCreativeRequest(request, {
      privateKeys,
      now: now.getTime(),
      ...(signedString === undefined ? {} : { signedString }),
    }),
})
