import { SigwireError } from '../errors/sigwire-error.js'

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Decodes hex (either case); throws `INVALID_HEX` on odd length or a non-hex character. */
export function fromHex(text: string, what = 'value'): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new SigwireError({
      code: 'INVALID_HEX',
      message: `The ${what} is not valid hex.`,
      details: { what },
    })
  }
  return new Uint8Array(Buffer.from(text, 'hex'))
}
