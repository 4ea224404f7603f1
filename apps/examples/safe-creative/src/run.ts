import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSafeCreativeEmulator } from '@sigwire/emulator'
import {
  createFileAuthorizationStore,
  createSafeCreativeClient,
  SAFE_CREATIVE_ARENA_URL,
  type SafeCreativeClientOptions,
} from '@sigwire/safe-creative'

/** What the example reads from its environment. */
export interface ExampleEnv {
  SAFE_CREATIVE_SHARED_KEY?: string
  SAFE_CREATIVE_PRIVATE_KEY?: string
  /** Default: the arena (sandbox). */
  SAFE_CREATIVE_API_URL?: string
  /** Where the authkey and its private key are kept. Default `.sigwire-state/safe-creative-authorization.json`. */
  SAFE_CREATIVE_AUTH_FILE?: string
}

/**
 * Authorizes a user (printing the authorization link), registers `file` (or a small generated file),
 * and lists the user's works. Talks to Safe Creative when SAFE_CREATIVE_SHARED_KEY and
 * SAFE_CREATIVE_PRIVATE_KEY are set, and to an in-process emulator otherwise (whose authorization page
 * is approved for you, standing in for the user).
 */
export async function run(
  env: ExampleEnv,
  print: (line: string) => void,
  file?: string,
): Promise<{ code: string; works: number }> {
  const real = Boolean(env.SAFE_CREATIVE_SHARED_KEY && env.SAFE_CREATIVE_PRIVATE_KEY)
  const emulator = real ? undefined : await startSafeCreativeEmulator()
  const scratch = await mkdtemp(join(tmpdir(), 'sigwire-example-sc-'))
  const options: SafeCreativeClientOptions = emulator
    ? { ...emulator.dev!, baseUrl: emulator.apiUrl }
    : {
        sharedKey: env.SAFE_CREATIVE_SHARED_KEY!,
        privateKey: env.SAFE_CREATIVE_PRIVATE_KEY!,
        baseUrl: env.SAFE_CREATIVE_API_URL ?? SAFE_CREATIVE_ARENA_URL,
      }
  const client = createSafeCreativeClient(options)
  try {
    print(
      `Safe Creative API: ${client.baseUrl}${emulator ? ' (emulator: set SAFE_CREATIVE_SHARED_KEY and SAFE_CREATIVE_PRIVATE_KEY for the real one)' : ''}`,
    )
    const store = createFileAuthorizationStore(
      emulator
        ? join(scratch, 'authorization.json')
        : (env.SAFE_CREATIVE_AUTH_FILE ?? '.sigwire-state/safe-creative-authorization.json'),
    )
    const user = await client.authorize({
      store,
      level: 'ADD',
      onAuthorizationUrl: async (url) => {
        print(`Open this link and authorize the application:\n  ${url}`)
        if (emulator) {
          const authkey = new URL(url).searchParams.get('authkey')!
          await emulator.approve(authkey, 'ADD')
          print('(emulator: approved on behalf of the user)')
        } else print('Waiting for the authorization...')
      },
    })
    print(`Authorized: authkey ${user.authkey}`)
    let path = file
    if (!path) {
      path = join(scratch, 'hello.txt')
      await writeFile(path, `Hello from sigwire, ${new Date().toISOString()}\n`)
    }
    const code = await user.registerFile(path, { title: `sigwire example ${new Date().toISOString()}` })
    print(`Registered work ${code}`)
    let works = 0
    for await (const work of user.listWorks()) {
      works++
      print(`  ${work.code}  ${work.state ?? ''}  ${work.title}`)
    }
    return { code, works }
  } finally {
    await client.close()
    await emulator?.close()
    await rm(scratch, { recursive: true, force: true })
  }
}
