import { describeSignerConformance } from '@sigwire/conformance'
import { createRequest, textBody, utf8Encode } from '@sigwire/core'
import { HEADER_SIGNATURE } from '../constants.js'
import { vectors } from './__fixtures__/cloudkit-vectors.js'
import { createCloudKitSigner } from './signer.js'
import { verifyCloudKitRequest } from './verify.js'

const signer = createCloudKitSigner({ keyId: vectors.keyID, privateKey: vectors.privateKeyPem })

// CloudKit JS 2.6.4's requests (shared/vectors/cloudkit.json): its message and signature for each.
describeSignerConformance({
  name: 'CloudKit',
  signer,
  cases: vectors.cases.map((c) => ({
    id: c.id,
    request: createRequest({
      method: c.method,
      url: c.host + c.requestTarget,
      body: c.body === null ? undefined : textBody(c.body),
    }),
    date: new Date(c.date),
    stringToSign: utf8Encode(c.message),
    signature: c.signature,
  })),
  // ECDSA signs the same message differently each time: the vector's signature is checked by verifying.
  deterministic: false,
  signatureOf: (output) => output.headers![HEADER_SIGNATURE]!,
  signString: (message) => signer.signMessage(message),
  withSignature: (request, signature) => ({
    ...request,
    headers: { ...request.headers, [HEADER_SIGNATURE.toLowerCase()]: signature },
  }),
  verify: (request, { now, signedString }) =>
    verifyCloudKitRequest(request, {
      publicKey: vectors.publicKeyPem,
      now,
      ...(signedString === undefined ? {} : { signedString }),
    }),
})
