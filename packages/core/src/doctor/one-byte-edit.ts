import { renderTokens } from '../tokens/render-tokens.js'
import { bytesToken, isBytesToken, type Token } from '../tokens/token.js'

/**
 * Looks for the string a signature was made over among every string that differs from `tokens` in
 * exactly one byte (a character changed in transit, a mistyped digit, a case flip in a percent escape).
 * `matches` says whether a rendered candidate verifies; only the tokens named in `labels` are edited.
 * Returns the token list with the edited token replaced, or undefined. Each candidate costs one
 * signature check over the whole string, so callers bound the work by the string's length.
 * `onProgress` hears the share of byte positions searched (0 to 1), once per position.
 */
export function findOneByteEdit(
  tokens: readonly Token[],
  matches: (message: Uint8Array) => boolean,
  labels: ReadonlySet<string>,
  onProgress?: (fraction: number) => void,
): Token[] | undefined {
  if (!tokens.every(isBytesToken)) return undefined
  const message = Buffer.from(renderTokens(tokens))
  const positions = tokens.reduce((n, t) => n + (labels.has(t.label) ? t.bytes.byteLength : 0), 0)
  let searched = 0
  let start = 0
  for (const [index, token] of tokens.entries()) {
    const end = start + token.bytes.byteLength
    if (labels.has(token.label))
      for (let at = start; at < end; at++) {
        onProgress?.(searched++ / positions)
        const original = message[at]!
        for (let value = 0; value < 256; value++) {
          if (value === original) continue
          message[at] = value
          if (matches(message)) {
            const edited = [...tokens]
            edited[index] = bytesToken(token.label, new Uint8Array(message.subarray(start, end)))
            return edited
          }
        }
        message[at] = original
      }
    start = end
  }
  return undefined
}
