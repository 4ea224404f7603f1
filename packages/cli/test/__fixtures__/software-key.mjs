// A WebAuthn helper for `sigwire icloud login --security-key-command` in tests: the challenge JSON on
// stdin, the assertion JSON on stdout, made by the emulator's software authenticator with the key in
// the file named by the first argument (its counter is kept beside it).
import { readFileSync, writeFileSync } from 'node:fs'
import { createSoftwareAuthenticator } from '@sigwire/emulator'

const file = process.argv[2]
const key = JSON.parse(readFileSync(file, 'utf8'))
let count = 0
try {
  count = Number(readFileSync(`${file}.count`, 'utf8'))
} catch {}
const authenticator = createSoftwareAuthenticator({ ...key, signCount: count })
const challenge = JSON.parse(readFileSync(0, 'utf8'))
const assertion = authenticator.assert(challenge)
writeFileSync(`${file}.count`, String(authenticator.signCount))
process.stdout.write(JSON.stringify(assertion))
