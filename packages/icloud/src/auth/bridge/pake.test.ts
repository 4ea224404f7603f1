import { describe, expect, it } from 'vitest'
import { verifierSide } from '../../emulator/bridge/device-pake.js'
import { bridgeVectors } from './__fixtures__/icloud-bridge.js'
import {
  bridgePayloadKeys,
  bridgeTranscript,
  confirmationsEqual,
  openBridgePayload,
  proverConfirmation,
  proverKeys,
  proverShare,
  sealBridgePayload,
  stretchBridgeCode,
  verifierConfirmation,
  verifierKeys,
  verifierPoint,
  verifierShare,
} from './pake.js'
import { parseStep4Data } from './step-data.js'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const big = (h: string) => BigInt(`0x${h}`)
const from = (h: string) => Buffer.from(h, 'hex')

describe('bridge PAKE against the Python vectors', () => {
  it('has cases', () => {
    expect(bridgeVectors.cases.length).toBeGreaterThanOrEqual(3)
  })
  for (const v of bridgeVectors.cases) {
    describe(v.name, () => {
      it('stretches the code with scrypt into w0 and w1', async () => {
        const s = await stretchBridgeCode(v.code, Buffer.from(v.saltB64, 'base64'))
        expect(s.w0).toBe(big(v.w0Hex))
        expect(s.w1).toBe(big(v.w1Hex))
      })
      it('makes both shares and L', () => {
        expect(hex(proverShare(big(v.xHex), big(v.w0Hex)))).toBe(v.proverShareHex)
        expect(hex(verifierShare(big(v.yHex), big(v.w0Hex)))).toBe(v.verifierShareHex)
        expect(hex(verifierPoint(big(v.w1Hex)))).toBe(v.verifierPointLHex)
      })
      it('builds the transcript with w0 in minimal bytes', () => {
        const t = bridgeTranscript(
          from(v.proverShareHex),
          from(v.verifierShareHex),
          from(v.zHex),
          from(v.vHex),
          big(v.w0Hex),
        )
        expect(hex(t)).toBe(v.transcriptHex)
        expect(v.transcriptHex.endsWith(v.w0TranscriptHex)).toBe(true)
      })
      it('derives the same keys and confirmations on both sides', () => {
        const scalars = { w0: big(v.w0Hex), w1: big(v.w1Hex) }
        const X = from(v.proverShareHex)
        const Y = from(v.verifierShareHex)
        const prover = proverKeys(scalars, big(v.xHex), X, Y)
        const verifier = verifierKeys(big(v.w0Hex), from(v.verifierPointLHex), big(v.yHex), X, Y)
        for (const keys of [prover, verifier]) {
          expect(hex(keys.transcript)).toBe(v.transcriptHex)
          expect(hex(Buffer.concat([keys.proverConfirmKey, keys.verifierConfirmKey]))).toBe(
            v.confirmationKeysHex,
          )
          expect(hex(keys.sharedKey)).toBe(v.sharedKeyHex)
        }
        expect(hex(proverConfirmation(prover, Y))).toBe(v.proverConfirmationHex)
        expect(hex(verifierConfirmation(verifier, X))).toBe(v.verifierConfirmationHex)
        const payloadKeys = bridgePayloadKeys(prover.sharedKey)
        expect(hex(payloadKeys.verifierKey)).toBe(v.verifierKeyHex)
        expect(hex(payloadKeys.proverKey)).toBe(v.proverKeyHex)
      })
      it('opens and seals the AES-GCM payload', () => {
        const key = from(v.verifierKeyHex)
        const payload = Buffer.from(v.aesGcm.payloadB64, 'base64')
        expect(openBridgePayload(key, payload)).toBe(v.aesGcm.plaintext)
        expect(
          Buffer.from(sealBridgePayload(key, from(v.aesGcm.ivHex), v.aesGcm.plaintext)).toString('base64'),
        ).toBe(v.aesGcm.payloadB64)
        const tampered = Buffer.from(payload)
        tampered[tampered.length - 1]! ^= 1
        expect(openBridgePayload(key, tampered)).toBeUndefined()
        expect(openBridgePayload(from(v.proverKeyHex), payload)).toBeUndefined()
      })
      it('reads the step-4 data the device pushes', () => {
        const parsed = parseStep4Data(v.step4DataB64)
        expect(parsed && hex(parsed.verifierShare)).toBe(v.verifierShareHex)
        expect(parsed && hex(parsed.verifierConfirmation)).toBe(v.verifierConfirmationHex)
      })
      it('the emulated device computes the vectors from the code', async () => {
        const device = await verifierSide(v.code, Buffer.from(v.saltB64, 'base64'), big(v.yHex))
        expect(hex(device.share)).toBe(v.verifierShareHex)
        const answer = device.answer(from(v.proverShareHex))
        expect(answer && hex(answer.confirmation)).toBe(v.verifierConfirmationHex)
        expect(answer?.accepts(from(v.proverConfirmationHex))).toBe(true)
        expect(answer && hex(answer.verifierKey)).toBe(v.verifierKeyHex)
      })
      it('a wrong code cannot reproduce the verifier confirmation', async () => {
        const wrong = await stretchBridgeCode(v.wrongCode.code, Buffer.from(v.saltB64, 'base64'))
        const X = proverShare(big(v.xHex), wrong.w0)
        expect(hex(X)).toBe(v.wrongCode.proverShareHex)
        const keys = proverKeys(wrong, big(v.xHex), X, from(v.verifierShareHex))
        const expected = verifierConfirmation(keys, X)
        expect(hex(expected)).toBe(v.wrongCode.verifierConfirmationExpectedByProverHex)
        expect(confirmationsEqual(expected, from(v.verifierConfirmationHex))).toBe(false)
      })
    })
  }
})
