import { jsonBody } from '@sigwire/core'
import { ICloudError } from '../errors.js'
import { serviceErrorCode, throttledError } from '../session/http.js'
import type { AuthContext } from './context.js'
import { idmsaHeaders } from './headers.js'

/** What a security-key sign-in asks the key to sign (the `fsaChallenge` of the two-factor options). */
export interface SecurityKeyChallenge {
  /** The Apple ID being signed in. */
  readonly appleId: string
  /** The WebAuthn challenge, base64url, as Apple sent it. */
  readonly challenge: string
  /** The relying party id (`apple.com`). */
  readonly rpId: string
  /** The origin to put in clientDataJSON (`https://apple.com`, what pyicloud's FIDO2 client uses). */
  readonly origin: string
  /** Credential ids the account accepts (`allowCredentials`), base64url. */
  readonly allowCredentials: readonly string[]
  /** The names of the account's keys, for a prompt. */
  readonly keyNames: readonly string[]
}

/** A WebAuthn assertion (the `response` of `navigator.credentials.get`), each part base64url. */
export interface SecurityKeyAssertion {
  /** The credential's raw id. */
  readonly credentialId: string
  /** The clientDataJSON bytes. */
  readonly clientDataJSON: string
  /** The authenticator data bytes. */
  readonly authenticatorData: string
  /** The signature bytes (DER for ES256). */
  readonly signature: string
  /** The user handle, when the authenticator returned one. */
  readonly userHandle?: string
}

/**
 * Signs a security-key challenge: a WebAuthn-capable helper (a browser, a FIDO2 library talking to a
 * hardware key, or a software authenticator in tests) makes the assertion. The sign-in waits for it.
 */
export type SecurityKeyHandler = (challenge: SecurityKeyChallenge) => Promise<SecurityKeyAssertion>

/** The `fsaChallenge` part of the two-factor options, when the account uses security keys. */
export interface FsaChallenge {
  readonly challenge: string
  readonly keyHandles: readonly string[]
  readonly rpId: string
}

/** The origin pyicloud's FIDO2 client puts in clientDataJSON (`confirm_security_key`). */
export const SECURITY_KEY_ORIGIN = 'https://apple.com'

/**
 * Signs in with a security key (docs/protocols/icloud.md §4.4, §14): asks the handler for an assertion
 * over the `fsaChallenge`, then `POST {auth}/verify/security/key` with Apple's field names (standard
 * base64, as pyicloud's `confirm_security_key` sends them).
 */
export async function completeSecurityKey(
  ctx: AuthContext,
  fsa: FsaChallenge,
  keyNames: readonly string[],
  handler: SecurityKeyHandler | undefined,
): Promise<void> {
  if (handler === undefined)
    throw new ICloudError({
      code: 'SECURITY_KEY_REQUIRED',
      message: `${ctx.state.appleId} signs in with a security key; pass an onSecurityKey callback that returns a WebAuthn assertion (a hardware key needs a WebAuthn-capable helper: a browser or a FIDO2 library).`,
    })
  const assertion = await handler({
    appleId: ctx.state.appleId,
    challenge: fsa.challenge,
    rpId: fsa.rpId,
    origin: SECURITY_KEY_ORIGIN,
    allowCredentials: fsa.keyHandles,
    keyNames,
  })
  const b64 = (value: string | undefined, what: string) => {
    if (value === undefined) return null
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]+=*$/.test(value))
      throw new ICloudError({
        code: 'INVALID_ARGUMENT',
        message: `The security-key assertion's ${what} is not base64url; return the bytes of the WebAuthn response encoded as base64url.`,
      })
    return Buffer.from(value, 'base64').toString('base64')
  }
  const response = await ctx.http.call({
    method: 'POST',
    url: `${ctx.endpoints.authUrl}/verify/security/key`,
    purpose: 'verify/security/key',
    headers: idmsaHeaders(ctx.state, ctx.endpoints, ctx.oauthState, 'mfa'),
    body: jsonBody({
      challenge: fsa.challenge,
      clientData: b64(assertion?.clientDataJSON, 'clientDataJSON'),
      signatureData: b64(assertion?.signature, 'signature'),
      authenticatorData: b64(assertion?.authenticatorData, 'authenticatorData'),
      userHandle: b64(assertion?.userHandle, 'userHandle'),
      credentialID: b64(assertion?.credentialId, 'credentialId'),
      rpId: fsa.rpId,
    }),
    harvest: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (response.status < 300) return
  if (response.status === 503 || response.status === 429)
    throw throttledError(response, 'verify/security/key')
  const serviceCode = serviceErrorCode(response.json())
  throw new ICloudError({
    code: 'SECURITY_KEY_REJECTED',
    status: response.status,
    ...(serviceCode === undefined ? {} : { serviceCode }),
    message: `Apple rejected the security-key assertion (HTTP ${response.status}${serviceCode ? `, ${serviceCode}` : ''}). Sign the challenge of this sign-in with a key registered to the Apple ID, for rpId ${fsa.rpId}.`,
  })
}
