// An iCloud user's first program, run from the packed tarballs in a fresh npm project.
import { createICloudClient } from '@sigwire/icloud'
import { startICloudEmulator } from '@sigwire/icloud/emulator'

const emulator = await startICloudEmulator()
const dev = emulator.dev
const client = createICloudClient({
  appleId: dev.appleId,
  password: dev.password,
  endpoints: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl },
  allowHosts: ['127.0.0.1'],
  allowInsecureLoopback: true,
  twoFactor: async () => dev.twoFactorCode,
})
try {
  const result = await client.login()
  if (result.method !== 'signin' || result.secondFactor !== 'hsa2')
    throw new Error(`unexpected login: ${result.method}/${result.secondFactor}`)
  console.log('SRP sign-in and two-factor verified by the emulator')
} finally {
  await client.close()
  await emulator.close()
}
