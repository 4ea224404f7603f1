import type { Conversation, EmulatedAccount } from './state.js'

/** The widget's app id in Apple's boot args (icloudpd `parse_trusted_phone_numbers_payload_valid.html`). */
const SOURCE_APP_ID = 1159

/** A trusted number as Apple lists it (icloudpd cassette `2fa_flow_valid_code.yml`). */
export function trustedPhone(phone: EmulatedAccount['trustedPhones'][number]): Record<string, unknown> {
  const digits = phone.numberWithDialCode.replace(/\D/g, '')
  return {
    id: phone.id,
    numberWithDialCode: phone.numberWithDialCode,
    pushMode: phone.pushMode,
    obfuscatedNumber: phone.numberWithDialCode.replace(/^\+\d+\s*/, ''),
    lastTwoDigits: digits.slice(-2),
  }
}

/** The `securityCode` block of Apple's two-factor documents. */
export function securityCodeBlock(): Record<string, unknown> {
  return {
    length: 6,
    tooManyCodesSent: false,
    tooManyCodesValidated: false,
    securityCodeLocked: false,
    securityCodeCooldown: false,
  }
}

/**
 * The phone verification document: what `GET {auth}` lists and what `PUT verify/phone` answers
 * (docs/protocols/icloud.md §4.2, §12): every trusted number, and the default one as
 * `trustedPhoneNumber` (pyicloud takes SMS from there), with the account flags icloud-photos-sync
 * checks (`hsa2Account`, `restrictedAccount`).
 */
export function phoneVerification(account: EmulatedAccount): Record<string, unknown> {
  const phones = account.trustedPhones.map(trustedPhone)
  return {
    trustedPhoneNumbers: phones,
    ...(phones[0] ? { trustedPhoneNumber: phones[0] } : {}),
    securityCode: securityCodeBlock(),
    authenticationType: 'hsa2',
    autoVerified: false,
    showAutoVerificationUI: false,
    supportsCustodianRecovery: false,
    hideSendSMSCodeOption: false,
    supervisedChangePasswordFlow: false,
    supportsRecovery: true,
    hsa2Account: true,
    restrictedAccount: false,
    managedAccount: false,
  }
}

/** The push topic of the sign-in widget (pyicloud `tests/test_hsa2_bridge.py` L196-200). */
export const BRIDGE_TOPIC = 'com.apple.idmsauthwidget'

/** Where the web widget starts: the trusted devices, the bridge, the phone, or the security key. */
export function initialRoute(account: EmulatedAccount): string {
  if ((account.securityKeys ?? []).length > 0) return 'auth/verify/securitykey'
  if (account.bridge && account.trustedDevices !== false) return 'auth/bridge/step'
  return account.trustedDevices === false ? 'auth/verify/phone' : 'auth/verify/trusteddevice'
}

/** The security-key part of the options: the WebAuthn challenge and the keys' names. */
function securityKeyPart(account: EmulatedAccount, conversation: Conversation): Record<string, unknown> {
  const keys = account.securityKeys ?? []
  if (keys.length === 0 || !conversation.fsaChallenge) return {}
  return {
    fsaChallenge: {
      challenge: conversation.fsaChallenge,
      keyHandles: keys.map((k) => k.credentialId),
      rpId: 'apple.com',
    },
    keyNames: keys.map((k) => k.name),
  }
}

/**
 * The bridge part of the options (pyicloud `tests/test_hsa2_bridge.py` L185-215): the push topic and
 * the websocket host (`host:port` without a scheme when the emulator has TLS, the way pyicloud keeps the
 * port; `ws://host:port` without TLS).
 */
export function bridgeInitiateData(
  account: EmulatedAccount,
  webSocketUrl: string | undefined,
): Record<string, unknown> | undefined {
  if (initialRoute(account) !== 'auth/bridge/step' || webSocketUrl === undefined) return undefined
  return {
    apnsTopic: BRIDGE_TOPIC,
    apnsEnvironment: 'prod',
    webSocketUrl,
    phoneNumberVerification: phoneVerification(account),
  }
}

/** The two-factor options as JSON (`GET {auth}` with a JSON `Accept`). */
export function authOptionsJson(
  account: EmulatedAccount,
  conversation: Conversation,
  webSocketUrl?: string,
): Record<string, unknown> {
  const keys = (account.securityKeys ?? []).length > 0
  const bridge = bridgeInitiateData(account, webSocketUrl)
  return {
    ...phoneVerification(account),
    hasTrustedDevices: account.trustedDevices !== false && !keys,
    authFactors: keys
      ? ['securitykey']
      : bridge
        ? ['web_piggybacking', 'robocall', 'sms', 'generatedcode']
        : ['robocall', 'sms', 'generatedcode'],
    authInitialRoute: initialRoute(account),
    ...(bridge ? { bridgeInitiateData: bridge, sourceAppId: SOURCE_APP_ID } : {}),
    ...securityKeyPart(account, conversation),
  }
}

/**
 * The two-factor page (`GET {auth}` with `Accept: text/html`): the `boot_args` JSON inside a script
 * element, the shape of icloudpd's recorded page. The phone list is in both places clients read it:
 * `twoSV.phoneNumberVerification` (the 2023 page) and `twoSV.bridgeInitiateData.phoneNumberVerification`
 * (where pyicloud's 2026 parser looks); the initial route is `auth/bridge/step`, with the push
 * topic and websocket host, only for an account configured with the bridge (docs/protocols/icloud.md §17).
 */
export function authOptionsPage(
  account: EmulatedAccount,
  conversation: Conversation,
  webSocketUrl?: string,
): string {
  const json = authOptionsJson(account, conversation, webSocketUrl)
  const verification = phoneVerification(account)
  const bootArgs = {
    direct: {
      isReact: true,
      authUserType: 'hsa2',
      hasTrustedDevices: json.hasTrustedDevices,
      twoSV: {
        supportedPushModes: ['voice', 'sms'],
        phoneNumberVerification: verification,
        bridgeInitiateData: bridgeInitiateData(account, webSocketUrl) ?? {
          phoneNumberVerification: verification,
        },
        authFactors: json.authFactors,
        source_returnurl: 'https://idmsa.apple.com/',
        sourceAppId: SOURCE_APP_ID,
        ...securityKeyPart(account, conversation),
      },
      referrerQuery: '',
      urlContext: '/appleauth',
      authType: 'hsa2',
      authInitialRoute: json.authInitialRoute,
    },
    additional: { canRoute2sv: true },
  }
  // `<` is escaped so the JSON can never close the script element.
  const text = JSON.stringify(bootArgs).replace(/</g, '\\u003C')
  return `<!DOCTYPE html>\n<html><head><title>Apple ID</title></head><body>\n<script type="application/json" class="boot_args">${text}</script>\n</body></html>\n`
}
