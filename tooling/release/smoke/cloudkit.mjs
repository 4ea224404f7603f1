// A CloudKit user's first program, run from the packed tarballs in a fresh npm project.
import { createCloudKitClient } from '@sigwire/cloudkit'
import { startCloudKitEmulator } from '@sigwire/cloudkit/emulator'

const emulator = await startCloudKitEmulator()
const dev = emulator.dev
const client = createCloudKitClient({
  container: dev.container,
  environment: dev.environment,
  serverToServer: { keyId: dev.keyId, privateKey: dev.privateKeyPem },
  baseUrl: emulator.url,
})
try {
  const caller = await client.users.caller()
  if (!caller.userRecordName) throw new Error('users/caller answered without a userRecordName')
  console.log(`signed and verified: users/caller is ${caller.userRecordName}`)
} finally {
  await client.close()
  await emulator.close()
}
