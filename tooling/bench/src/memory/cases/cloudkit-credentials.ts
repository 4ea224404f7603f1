import type { ServerInfo } from '../../servers.js'

/** Client options for the CloudKit emulator's development credentials. */
export function cloudKitOptions(server: ServerInfo) {
  const dev = server.dev!
  return {
    container: dev.container!,
    environment: 'development' as const,
    serverToServer: { keyId: dev.keyId!, privateKey: dev.privateKeyPem! },
    baseUrl: server.url,
  }
}
