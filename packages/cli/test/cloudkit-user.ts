import { writeFile } from 'node:fs/promises'
import { type CloudKitClient, createCloudKitClient } from '@sigwire/cloudkit'
import type { CloudKitEmulator } from '@sigwire/emulator'

/** The web-app client of `userRecordName` on the emulator's development container. */
export function userClient(emulator: CloudKitEmulator, userRecordName: string): CloudKitClient {
  const dev = emulator.dev!
  return createCloudKitClient({
    container: dev.container,
    environment: 'development',
    apiToken: dev.apiToken,
    webAuthToken: emulator.issueWebAuthToken({ userRecordName }),
    baseUrl: emulator.url,
    transport: { proxy: false },
  })
}

/**
 * The start of a `sigwire cloudkit changes` command line against the emulator's development
 * container, its API token written to `apiTokenFile`.
 */
export async function changesCommand(emulator: CloudKitEmulator, apiTokenFile: string): Promise<string[]> {
  const dev = emulator.dev!
  await writeFile(apiTokenFile, `${dev.apiToken}\n`)
  return [
    'cloudkit',
    'changes',
    '--container',
    dev.container,
    '--base-url',
    emulator.url,
    '--api-token-file',
    apiTokenFile,
  ]
}
