import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildProgram } from '../src/main.js'
import { CLI_ERRORS } from '../src/output/errors.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('the README', () => {
  it('documents every error code the CLI raises, with its exit code, and no other', () => {
    const rows = [...README.matchAll(/^\| `([A-Z_]+)` +\| (\d) +\|/gm)].map(([, code, exit]) => [
      code,
      Number(exit),
    ])
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(CLI_ERRORS).map(([code, { exit }]) => [code, exit])),
    )
  })

  it('names in its synopses only commands and options the CLI declares', async () => {
    const io = { out: () => {}, err: () => {}, isTTY: false, env: {}, stdinIsTTY: false }
    const program = await buildProgram(io as never)
    const child = (parent: Command, word: string) => parent.commands.find((c) => c.name() === word)
    const declared = (command: Command | null): string[] =>
      command ? [...command.options.map((o) => o.long ?? ''), ...declared(command.parent)] : []
    const problems: string[] = []
    const synopses = [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap(([, block]) => block!.replace(/\\\n\s*/g, ' ').split('\n'))
      .filter((line) => line.startsWith('sigwire '))
    expect(synopses.length).toBeGreaterThan(40)
    for (const line of synopses) {
      // `a | b`: b is a sibling of a's last command word (`hme ls | new --label L`).
      let parent: Command = program
      for (const [i, segment] of commandsOf(line.replace(/^sigwire /, '')).entries()) {
        let commands = [parent]
        for (const word of segment.split(/\s+/)) {
          // `locate|sound`: each alternative is a command.
          const next = word.split('|').map((w) => commands.map((c) => child(c, w)))
          if (next.some((found) => found.includes(undefined))) break
          if (commands.length === 1 && i === 0) parent = commands[0]!
          commands = next.flat() as Command[]
        }
        if (commands[0] === program && /^[a-z]/.test(segment))
          problems.push(`${line}: no command in ${JSON.stringify(segment)}`)
        for (const flag of segment.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])
          for (const command of commands)
            if (!declared(command).includes(flag)) problems.push(`${line}: ${command.name()} has no ${flag}`)
      }
    }
    expect(problems).toEqual([])
  })
})

/** A synopsis cut at each ` | ` outside brackets that starts another command (`ls | new --label L`). */
function commandsOf(synopsis: string): string[] {
  const segments = ['']
  let depth = 0
  for (let i = 0; i < synopsis.length; i++) {
    const c = synopsis[i]!
    if (c === '[' || c === '(') depth++
    if (c === ']' || c === ')') depth--
    if (depth === 0 && synopsis.startsWith(' | ', i) && /[a-z]/.test(synopsis[i + 3] ?? '')) {
      segments.push('')
      i += 2
    } else segments[segments.length - 1] += c
  }
  return segments
}
