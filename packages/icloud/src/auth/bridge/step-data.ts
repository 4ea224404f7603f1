/**
 * The `data` of the device's step-4 push: base64 of `base64(Y) + "_" + base64(confirmation)`
 * (pyicloud `hsa2_bridge.py` L1283-1289). Undefined when it is not that shape.
 */
export function parseStep4Data(
  data: string,
): { verifierShare: Uint8Array; verifierConfirmation: Uint8Array } | undefined {
  const inner = strictBase64(data)
  if (!inner) return undefined
  const [share, confirmation, ...rest] = Buffer.from(inner).toString('latin1').split('_')
  if (rest.length > 0 || share === undefined || confirmation === undefined) return undefined
  const verifierShare = strictBase64(share)
  const verifierConfirmation = strictBase64(confirmation)
  if (!verifierShare || !verifierConfirmation || verifierConfirmation.byteLength !== 32) return undefined
  return { verifierShare, verifierConfirmation }
}

/** Builds the step-4 `data` the device pushes (the emulator's side of {@link parseStep4Data}). */
export function formatStep4Data(verifierShare: Uint8Array, verifierConfirmation: Uint8Array): string {
  const inner = `${Buffer.from(verifierShare).toString('base64')}_${Buffer.from(verifierConfirmation).toString('base64')}`
  return Buffer.from(inner, 'latin1').toString('base64')
}

/** Standard base64 (padding required) decoded, or undefined when `text` is not exactly that. */
export function strictBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined
}
