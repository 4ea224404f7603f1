const CloudKit = require('tsl-apple-cloudkit/lib/index.js')
let calls = 0
const fetch = async (url, opts) => {
  calls++
  const body = url.includes('users/caller') ? { userRecordName: '_abc' } : { records: [] }
  return {
    ok: true,
    status: 200,
    headers: { get: () => 'application/json' },
    json: async () => body,
    text: async () => JSON.stringify(body),
  }
}
CloudKit.configure({
  services: { fetch, logger: { log() {}, info() {}, warn() {}, error: console.error } },
  containers: [
    {
      containerIdentifier: 'iCloud.com.example.sigwire',
      environment: 'development',
      serverToServerKeyAuth: { keyID: 'KEY', privateKeyFile: '/tmp/ck-key.pem' },
    },
  ],
})
const container = CloudKit.getDefaultContainer()
;(async () => {
  await container.setUpAuth()
  const db = container.publicCloudDatabase
  const n = 2000
  const t = performance.now()
  for (let i = 0; i < n; i++) await db.performQuery({ recordType: 'Note' })
  const ms = performance.now() - t
  console.log('calls', calls, 'ops/s', Math.round((n / ms) * 1000))
})().catch((e) => console.error('ERR', e))
