import type { Command } from 'commander'
import { validateBundleDir } from '../input/bundle-dir.js'
import { printBundleReport } from '../output/bundle-report.js'
import { EXIT } from '../output/errors.js'
import type { Io } from '../output/io.js'

/**
 * `sigwire apple-news validate BUNDLE_DIR`: the Apple News Format validator over a bundle directory
 * (`article.json`, an optional `metadata.json`, the files its `bundle://` references name). Exit 0 when
 * Apple would accept it, 1 when it has errors, 2 when the directory cannot be read.
 */
export function registerAppleNews(program: Command, io: Io, setExit: (code: number) => void): void {
  const appleNews = program.command('apple-news').description('Apple News tools that work on local files')
  appleNews
    .command('validate')
    .description(
      'check an article bundle directory as Apple would: the document, bundle:// files, image types and sizes, metadata',
    )
    .argument('<bundle-dir>', 'directory with article.json, optional metadata.json, and the bundle files')
    .option('--update', 'check it as an update (metadata.json must then name the revision)')
    .option('--json', 'machine-readable output')
    .action((dir: string, options: { update?: boolean; json?: boolean }) => {
      const report = validateBundleDir(dir, 'the bundle directory', Boolean(options.update))
      setExit(printBundleReport(io, report, Boolean(options.json)) ? EXIT.ok : EXIT.failed)
    })
}
