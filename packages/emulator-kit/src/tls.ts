import { generate } from 'selfsigned'

/** A PEM key and certificate. */
export interface TlsMaterial {
  /** The P-256 private key, PEM; give it to the server only. */
  key: string
  /** The self-signed certificate, PEM; clients trust the emulator by passing it as `tls.ca`. */
  cert: string
}

let cached: Promise<TlsMaterial> | undefined

/**
 * A self-signed certificate for `localhost` and `127.0.0.1`, generated once per process (key generation
 * takes a moment). Clients trust it by passing the PEM as `tls.ca`.
 */
export function selfSignedCertificate(): Promise<TlsMaterial> {
  cached ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + 30 * 86_400_000),
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }))
  return cached
}
