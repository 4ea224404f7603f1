import { describe, expect, it } from 'vitest'
import { isICloudError } from '../../errors.js'
import { HostPolicy } from '../../session/host-policy.js'
import { parseTwoFactorOptions } from '../two-factor-options.js'
import { checkedPushUrl, pushBaseUrl } from './bridge-session.js'

// The shapes of pyicloud's tests/test_hsa2_bridge.py L185-215 (docs/protocols/icloud.md §17.1).
const bridgeData = {
  apnsTopic: 'com.apple.idmsauthwidget',
  apnsEnvironment: 'prod',
  webSocketUrl: 'websocket.push.apple.com',
  phoneNumberVerification: { trustedPhoneNumber: { id: 3, pushMode: 'sms' } },
}

describe('bridge detection', () => {
  it('reads the bridge from the page boot_args', () => {
    const boot = {
      direct: {
        authInitialRoute: 'auth/bridge/step',
        hasTrustedDevices: true,
        twoSV: { sourceAppId: 1159, bridgeInitiateData: bridgeData },
      },
    }
    const html = `<script type="application/json" class="boot_args">${JSON.stringify(boot)}</script>`
    const options = parseTwoFactorOptions(html)
    expect(options.bridge).toEqual({
      apnsTopic: 'com.apple.idmsauthwidget',
      webSocketUrl: 'websocket.push.apple.com',
      apnsEnvironment: 'prod',
      sourceAppId: '1159',
    })
    expect(options.phones.map((p) => p.id)).toEqual([3])
  })

  it('reads the bridge from a JSON answer', () => {
    const options = parseTwoFactorOptions({
      authInitialRoute: 'auth/bridge/step',
      hasTrustedDevices: true,
      sourceAppId: '1159',
      bridgeInitiateData: bridgeData,
    })
    expect(options.bridge?.apnsTopic).toBe('com.apple.idmsauthwidget')
  })

  it('offers no bridge on another route, without trusted devices or without a topic', () => {
    const base = {
      authInitialRoute: 'auth/bridge/step',
      hasTrustedDevices: true,
      bridgeInitiateData: bridgeData,
    }
    expect(
      parseTwoFactorOptions({ ...base, authInitialRoute: 'auth/verify/trusteddevice' }).bridge,
    ).toBeUndefined()
    expect(parseTwoFactorOptions({ ...base, hasTrustedDevices: false }).bridge).toBeUndefined()
    expect(
      parseTwoFactorOptions({ ...base, bridgeInitiateData: { apnsEnvironment: 'prod' } }).bridge,
    ).toBeUndefined()
  })

  it('finds the websocket host as pyicloud does', () => {
    const at = (webSocketUrl: string | undefined, apnsEnvironment?: string) =>
      pushBaseUrl({ apnsTopic: 't', webSocketUrl, apnsEnvironment, sourceAppId: undefined })
    expect(at('websocket.push.apple.com')).toBe('wss://websocket.push.apple.com')
    expect(at('127.0.0.1:8443/path')).toBe('wss://127.0.0.1:8443')
    expect(at('wss://websocket.push.apple.com/v2')).toBe('wss://websocket.push.apple.com')
    expect(at(undefined, 'sandbox')).toBe('wss://websocket.sandbox.push.apple.com')
    expect(() => at(undefined, 'elsewhere')).toThrow(/no push websocket host/)
    expect(() => at('https://websocket.push.apple.com')).toThrow(/unknown scheme/)
  })

  it('checks the websocket host against the allowlist', () => {
    const init = (webSocketUrl: string) => ({
      apnsTopic: 't',
      webSocketUrl,
      apnsEnvironment: undefined,
      sourceAppId: undefined,
    })
    const policy = new HostPolicy({ allowHosts: ['127.0.0.1:9000'], allowInsecureLoopback: true })
    expect(checkedPushUrl(policy, init('websocket.push.apple.com'))).toBe('wss://websocket.push.apple.com')
    expect(checkedPushUrl(policy, init('ws://127.0.0.1:9000'))).toBe('ws://127.0.0.1:9000')
    for (const host of ['evil.example.com', 'websocket.push.apple.com:8443', '127.0.0.1:9001']) {
      let error: unknown
      try {
        checkedPushUrl(policy, init(host))
      } catch (e) {
        error = e
      }
      expect(isICloudError(error, 'HOST_NOT_ALLOWED'), host).toBe(true)
    }
    expect(() =>
      checkedPushUrl(new HostPolicy({ allowHosts: ['10.0.0.1:80'] }), init('ws://10.0.0.1:80')),
    ).toThrow(/not https/)
  })
})
