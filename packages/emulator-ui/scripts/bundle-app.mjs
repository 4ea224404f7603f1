#!/usr/bin/env node
// Bundles the page (app/) into dist/app: one ES module with Preact and htm inside, its stylesheet and
// index.html. Nothing is fetched when the page runs: the emulator serves these three files.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'app')
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [join(root, 'app', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
})
copyFileSync(join(root, 'app', 'index.html'), join(out, 'index.html'))
copyFileSync(join(root, 'app', 'app.css'), join(out, 'app.css'))

// The bundle carries Preact and htm (both MIT): their licences ship beside it.
const notices = ['preact', 'htm'].map((name) => {
  const dir = join(root, 'node_modules', name)
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  return `${name}@${version}\n\n${readFileSync(join(dir, 'LICENSE'), 'utf8').trim()}\n`
})
writeFileSync(join(out, 'THIRD-PARTY-NOTICES.txt'), notices.join('\n---\n\n'))
