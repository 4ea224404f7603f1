#!/usr/bin/env node
// The release, rehearsed without publishing (run by CI):
//  1. copy the repository's tracked files to a throw-away directory and install from the lockfile;
//  2. `changeset version` there (versions bumped, changelogs written, changesets consumed);
//  3. build, then `pnpm pack` every published package (prepack refuses an unbuilt one);
//  4. check each packed manifest: the new version, no `workspace:` ranges, no private package names;
//  5. for each service, a fresh npm project outside the workspace installs that service's tarball
//     alone (with core and the emulator kit), runs tooling/release/smoke/<service>.mjs (import the
//     client, sign a request, call the emulator), and must hold nothing of the other services.
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SERVICES = ['cloudkit', 'apple-news', 'safe-creative', 'icloud']
const keep = process.argv.includes('--keep')
const work = mkdtempSync(join(tmpdir(), 'sigwire-release-'))
const repo = join(work, 'repo')
const packs = join(work, 'packs')

function run(command, args, cwd, options = {}) {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: options.quiet === false ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true', ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    })
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n')
    throw new Error(`\`${command} ${args.join(' ')}\` failed in ${cwd}:\n${out}`)
  }
}

function step(text) {
  console.log(`- ${text}`)
}

function fail(text) {
  throw new Error(text)
}

try {
  step(`copying the tracked files to ${repo}`)
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root)
    .split('\0')
    .filter((f) => f && existsSync(join(root, f)))
  for (const file of files) {
    mkdirSync(dirname(join(repo, file)), { recursive: true })
    cpSync(join(root, file), join(repo, file))
  }
  run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], repo)

  step('changeset version')
  const pendingChangesets = readdirSync(join(repo, '.changeset')).filter(
    (f) => f.endsWith('.md') && f !== 'README.md',
  )
  if (pendingChangesets.length === 0) step('no pending changeset: versions stay as they are')
  else run('pnpm', ['exec', 'changeset', 'version'], repo)

  const published = readdirSync(join(repo, 'packages'))
    .map((dir) => ({
      dir: join(repo, 'packages', dir),
      pkg: JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')),
    }))
    .filter((p) => p.pkg.private !== true)
  const privateNames = [
    ...readdirSync(join(repo, 'tooling')).map((d) => join(repo, 'tooling', d, 'package.json')),
    ...readdirSync(join(repo, 'apps')).map((d) => join(repo, 'apps', d, 'package.json')),
  ]
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')).name)
    .filter(Boolean)
  for (const p of published) {
    if (pendingChangesets.length > 0 && p.pkg.version === '0.0.0')
      fail(`${p.pkg.name} was not versioned by changeset version`)
    if (
      !readFileSync(join(p.dir, 'CHANGELOG.md'), 'utf8').includes(p.pkg.version) &&
      p.pkg.version !== '0.0.0'
    )
      fail(`${p.pkg.name}: CHANGELOG.md has no entry for ${p.pkg.version}`)
  }

  step('build and pack every published package')
  run('node', ['tooling/turbo/run.mjs', 'run', 'build', '--output-logs=errors-only'], repo)
  mkdirSync(packs)
  const tarballs = new Map()
  for (const p of published) {
    run('pnpm', ['pack', '--pack-destination', packs], p.dir)
    const file = readdirSync(packs).find((f) =>
      f.startsWith(`${p.pkg.name.replace('@', '').replace('/', '-')}-${p.pkg.version}.tgz`),
    )
    if (!file) fail(`pnpm pack wrote no tarball for ${p.pkg.name}`)
    tarballs.set(p.pkg.name, join(packs, file))
    const manifest = JSON.parse(run('tar', ['-xOzf', join(packs, file), 'package/package.json'], packs))
    const text = JSON.stringify(manifest)
    if (text.includes('workspace:')) fail(`${p.pkg.name}: the packed manifest still has a workspace: range`)
    for (const name of privateNames)
      if (text.includes(`"${name}"`))
        fail(`${p.pkg.name}: the packed manifest names the private package ${name}`)
    if (manifest.exports?.['./emulator'] && manifest.name !== '@sigwire/emulator') {
      const kit = published.find((q) => q.pkg.name === '@sigwire/emulator-kit').pkg.version
      if (
        manifest.peerDependencies?.['@sigwire/emulator-kit'] !== `^${kit}` ||
        !manifest.peerDependenciesMeta?.['@sigwire/emulator-kit']?.optional
      )
        fail(`${p.pkg.name}: the packed manifest lacks the optional peer @sigwire/emulator-kit@^${kit}`)
    }
    const listing = run('tar', ['-tzf', join(packs, file)], packs).split('\n')
    for (const required of ['package/LICENSE', 'package/README.md', 'package/CHANGELOG.md'])
      if (!listing.includes(required)) fail(`${p.pkg.name}: the tarball has no ${required.slice(8)}`)
    if (listing.some((f) => f.endsWith('.test.ts') || f.includes('__fixtures__')))
      fail(`${p.pkg.name}: the tarball ships tests or fixtures`)
  }
  console.log(`  ${tarballs.size} packages packed at version ${published[0].pkg.version}`)

  for (const service of SERVICES) {
    const name = `@sigwire/${service}`
    step(`${name} alone from its tarball, in a fresh npm project`)
    const app = join(work, `app-${service}`)
    mkdirSync(app)
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: `try-${service}`, private: true, type: 'module' }),
    )
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarballs.get('@sigwire/core'),
        tarballs.get('@sigwire/emulator-kit'),
        tarballs.get(name),
      ],
      app,
    )
    cpSync(join(root, 'tooling', 'release', 'smoke', `${service}.mjs`), join(app, 'smoke.mjs'))
    console.log(`  ${run('node', ['smoke.mjs'], app).trim()}`)

    const installed = readdirSync(join(app, 'node_modules', '@sigwire')).sort()
    const expected = ['core', 'emulator-kit', service].sort()
    if (JSON.stringify(installed) !== JSON.stringify(expected))
      fail(
        `${name}: node_modules/@sigwire holds ${installed.join(', ')}; expected only ${expected.join(', ')}`,
      )
    // Third-party packages that only another service needs must not be there either.
    const mine = new Set()
    for (const pkgName of ['@sigwire/core', '@sigwire/emulator-kit', name]) {
      const manifest = published.find((p) => p.pkg.name === pkgName).pkg
      for (const dep of Object.keys(manifest.dependencies ?? {})) mine.add(dep)
    }
    for (const other of SERVICES.filter((s) => s !== service)) {
      const manifest = published.find((p) => p.pkg.name === `@sigwire/${other}`).pkg
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        if (mine.has(dep) || dep.startsWith('@sigwire/')) continue
        if (existsSync(join(app, 'node_modules', dep)))
          fail(`${name}: ${dep} (a dependency of @sigwire/${other}) was installed`)
      }
    }
    const count = run('npm', ['ls', '--all', '--parseable'], app).trim().split('\n').length - 1
    console.log(
      `  installed ${count} packages; nothing of ${SERVICES.filter((s) => s !== service).join(', ')}`,
    )
  }
  console.log('release dry run passed')
} catch (error) {
  console.error(`release dry run failed: ${error.message}`)
  process.exitCode = 1
} finally {
  if (keep) console.log(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
