#!/usr/bin/env node
// Bundles the page (app/) into dist/app: one ES module with Preact and htm inside, its stylesheet and
// index.html. Nothing is fetched when the page runs: the emulator serves these three files.
import { copyFileSync, mkdirSync } from 'node:fs'
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
