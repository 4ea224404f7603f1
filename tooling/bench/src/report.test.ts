import { describe, expect, it } from 'vitest'
import type { Machine } from './machine.js'
import { missedNotes, renderMarkdown, replaceSections, summaryTable } from './report.js'
import { atLeast, below } from './target.js'

const machine: Machine = {
  date: '2026-03-14',
  cpu: 'AMD EPYC',
  cores: 2,
  memoryGiB: 24,
  node: 'v20.20.2',
  platform: 'linux x64',
}

describe('targets and BENCHMARKS.md', () => {
  it('judges ratio and memory targets', () => {
    expect(atLeast('a', 0.85, 0.8)).toEqual({ name: 'a', goal: '≥ 0.80x', measured: '0.85x', met: true })
    expect(atLeast('b', 7.5, 10, 'why').met).toBe(false)
    expect(below('c', 129.4, 128)).toMatchObject({ goal: '< 128 MiB', measured: '129 MiB', met: false })
    expect(below('d', 100, 128).met).toBe(true)
    // A miss never reads as the goal itself.
    expect(atLeast('e', 0.8968, 0.9).measured).toBe('0.897x')
    expect(below('f', 128.2, 128).measured).toBe('128.2 MiB')
  })

  it('writes the machine, a summary table, the suite tables and a note per missed target', () => {
    const targets = [
      atLeast('fast enough', 0.95, 0.9),
      atLeast('too slow', 0.5, 0.9, 'the server shares the cores'),
    ]
    const text = renderMarkdown({
      machine,
      seconds: 312.4,
      targets,
      tables: [{ title: 'T', columns: ['a'], rows: [['x']] }],
      failures: [],
    })
    for (const fact of [
      'date: 2026-03-14',
      'CPU: AMD EPYC',
      'cores: 2',
      'Node.js: v20.20.2',
      'run time: 312 s',
    ])
      expect(text).toContain(fact)
    expect(text).toContain('| fast enough | ≥ 0.90x | 0.95x | met |')
    expect(text).toContain('| too slow | ≥ 0.90x | 0.50x | missed |')
    expect(text).toContain('### T')
    expect(text).toContain('- **too slow** (0.50x, goal ≥ 0.90x): the server shares the cores')
    expect(text.indexOf('## Summary')).toBeLessThan(text.indexOf('## Results'))
    expect(text.indexOf('## Results')).toBeLessThan(text.indexOf('## Notes'))
  })

  it('says so when every target was met', () => {
    const targets = [atLeast('ok', 1, 0.9)]
    expect(missedNotes(targets)).toEqual([])
    expect(summaryTable(targets).rows).toEqual([['ok', '≥ 0.90x', '1.00x', 'met']])
    expect(renderMarkdown({ machine, seconds: 1, targets, tables: [], failures: [] })).toContain(
      'Every target was met.',
    )
  })

  it('replaces the sections of an --only run and keeps the rest of the file', () => {
    const first = renderMarkdown({
      machine,
      seconds: 300,
      targets: [atLeast('speed', 1, 0.9), { name: 'R', goal: '0', measured: '1', met: false }],
      tables: [
        { title: 'A', columns: ['a'], rows: [['1']] },
        { title: 'R', columns: ['r'], rows: [['old']] },
        { title: 'B', columns: ['b'], rows: [['2']] },
      ],
      failures: [],
    })
    const again = replaceSections(
      first,
      [
        { title: 'R', columns: ['r'], rows: [['new']], notes: ['measured again'] },
        { title: 'N', columns: ['n'], rows: [['added']] },
      ],
      [
        { name: 'R', goal: '0', measured: '0', met: true },
        { name: 'N', goal: '0', measured: '0', met: true },
      ],
    )
    expect(again).toContain('run time: 300 s')
    expect(again).toContain('| speed | ≥ 0.90x | 1.00x | met |')
    expect(again).toContain('| R | 0 | 0 | met |')
    expect(again).not.toContain('| R | 0 | 1 | missed |')
    expect(again).toContain('| N | 0 | 0 | met |')
    expect(again.indexOf('| N | 0 | 0 | met |')).toBeLessThan(again.indexOf('## Results'))
    expect(again).toContain('### R\n\n| r |\n| --- |\n| new |\n\nmeasured again\n\n### B')
    expect(again).not.toContain('| old |')
    expect(again).toContain('### A\n\n| a |')
    expect(again.indexOf('### N')).toBeGreaterThan(again.indexOf('### B'))
    expect(again.indexOf('### N')).toBeLessThan(again.indexOf('## Notes'))
    expect(
      replaceSections(
        again,
        [{ title: 'R', columns: ['r'], rows: [['new']], notes: ['measured again'] }],
        [],
      ),
    ).toBe(again)
  })
})
