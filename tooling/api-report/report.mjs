#!/usr/bin/env node
// The public API of every published package: one report per `exports` entry, written by API Extractor
// from the built declarations, followed by the list and count of the entry's exports.
//
//   node tooling/api-report/report.mjs          writes packages/<name>/api/<entry>.api.md
//   node tooling/api-report/report.mjs --check  fails (exit 1) when a report differs from the code
//
// API Extractor reads one entry point per run (microsoft/rushstack#1596), so each entry gets its own run.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'
import ts from 'typescript'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const check = process.argv.includes('--check')

/** Published packages (not private) with their directory and manifest. */
function publishedPackages() {
  const dir = join(root, 'packages')
  return readdirSync(dir)
    .map((name) => ({ dir: join(dir, name), manifest: join(dir, name, 'package.json') }))
    .filter((p) => existsSync(p.manifest))
    .map((p) => ({ ...p, pkg: JSON.parse(readFileSync(p.manifest, 'utf8')) }))
    .filter((p) => p.pkg.private !== true)
}

/** `exports` entries that carry types: `[entry name for the file, subpath, absolute .d.ts path]`. */
function typedEntries(p) {
  const out = []
  for (const [subpath, target] of Object.entries(p.pkg.exports ?? {})) {
    if (typeof target !== 'object' || typeof target.types !== 'string') continue
    const name = subpath === '.' ? 'index' : subpath.replace(/^\.\//, '').replaceAll('/', '-')
    out.push([name, subpath, join(p.dir, target.types)])
  }
  return out
}

/** Every export of a declaration file, sorted, each marked as a value or a type only. */
function exportsOf(dtsPath) {
  const program = ts.createProgram([dtsPath], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    skipLibCheck: true,
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(dtsPath)
  const moduleSymbol = source && checker.getSymbolAtLocation(source)
  if (!moduleSymbol) throw new Error(`No module at ${dtsPath}; build the package first (pnpm build).`)
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      return { name: symbol.name, value: (target.flags & ts.SymbolFlags.Value) !== 0 }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

function extractorReport(p, name, dtsPath, workDir) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: p.dir,
      mainEntryPointFilePath: dtsPath,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            lib: ['ES2023'],
            types: ['node'],
            skipLibCheck: true,
          },
          files: [dtsPath],
        },
      },
      apiReport: { enabled: true, reportFolder: workDir, reportTempFolder: workDir, reportFileName: name },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // sigwire does not use @public/@beta release tags: every export of an entry is public.
        extractorMessageReporting: {
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: join(p.dir, 'api-extractor.json'),
    packageJsonFullPath: p.manifest,
  })
  const result = Extractor.invoke(config, {
    localBuild: true,
    showVerboseMessages: false,
    messageCallback: quiet,
  })
  if (!result.succeeded)
    throw new Error(`API Extractor failed for ${p.pkg.name} (${name}): ${result.errorCount} errors`)
  const file = readdirSync(workDir).find((f) => f.startsWith(name) && f.endsWith('.md'))
  if (!file) throw new Error(`API Extractor wrote no report for ${p.pkg.name} (${name})`)
  return readFileSync(join(workDir, file), 'utf8')
}

/** API Extractor's console chatter is not the report; errors still fail the run. */
function quiet(message) {
  if (message.logLevel !== 'error') message.handled = true
}

function renderReport(p, subpath, extractor, exported) {
  const specifier = subpath === '.' ? p.pkg.name : `${p.pkg.name}/${subpath.slice(2)}`
  const values = exported.filter((e) => e.value)
  const types = exported.filter((e) => !e.value)
  const list = (items) => (items.length === 0 ? '(none)' : items.map((e) => `\`${e.name}\``).join(', '))
  return [
    `# \`${specifier}\`: ${exported.length} exports (${values.length} values, ${types.length} types only)`,
    '',
    `Generated by \`pnpm api:report\` from the built declarations; \`pnpm api:check\` fails when this file`,
    'no longer matches the code. Review a change here as a change of the public API.',
    '',
    `Values: ${list(values)}`,
    '',
    `Types: ${list(types)}`,
    '',
    extractor.trimEnd(),
    '',
  ].join('\n')
}

let stale = 0
let written = 0
for (const p of publishedPackages()) {
  const apiDir = join(p.dir, 'api')
  const expected = new Set()
  for (const [name, subpath, dtsPath] of typedEntries(p)) {
    if (!existsSync(dtsPath)) throw new Error(`${relative(root, dtsPath)} is missing; run pnpm build first.`)
    const workDir = mkdtempSync(join(tmpdir(), 'sigwire-api-'))
    try {
      const report = renderReport(p, subpath, extractorReport(p, name, dtsPath, workDir), exportsOf(dtsPath))
      const file = join(apiDir, `${name}.api.md`)
      expected.add(`${name}.api.md`)
      const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined
      if (current === report) continue
      if (check) {
        stale++
        console.error(`${relative(root, file)} does not match the public API of ${p.pkg.name}.`)
      } else {
        mkdirSync(apiDir, { recursive: true })
        writeFileSync(file, report)
        written++
      }
    } finally {
      rmSync(workDir, { recursive: true, force: true })
    }
  }
  if (existsSync(apiDir)) {
    for (const file of readdirSync(apiDir)) {
      if (expected.has(file)) continue
      if (check) {
        stale++
        console.error(`${relative(root, join(apiDir, file))} reports an entry the package no longer has.`)
      } else {
        rmSync(join(apiDir, file))
        written++
      }
    }
  }
}

if (check && stale > 0) {
  console.error(`\n${stale} API report(s) out of date: run \`pnpm api:report\` and commit the result.`)
  process.exit(1)
}
console.log(check ? 'API reports match the code.' : `API reports: ${written} written.`)
