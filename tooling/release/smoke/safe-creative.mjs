// A Safe Creative user's first program, run from the packed tarballs in a fresh npm project.
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import { startSafeCreativeEmulator } from '@sigwire/safe-creative/emulator'

const emulator = await startSafeCreativeEmulator()
const client = createSafeCreativeClient({ ...emulator.dev, baseUrl: emulator.apiUrl })
try {
  const authkey = await client.createAuthkey()
  if (!authkey.authkey) throw new Error('authkey.create answered without an authkey')
  console.log('signed and verified: authkey.create answered an authkey')
} finally {
  await client.close()
  await emulator.close()
}
