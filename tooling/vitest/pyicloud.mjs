// Debian's python3-pyicloud (pyicloud 1.0.0), unmodified, as a peer client of the iCloud emulator: the
// one Python client CI can install (.ci/run installs it when missing). Without it, tests report skipped
// with the install command; under CI=true its absence fails the run.
import { execFile, spawnSync } from 'node:child_process'

/** The interpreter Debian's package installs for. */
export const PYICLOUD_PYTHON = '/usr/bin/python3'
/** How to get pyicloud on Debian and Ubuntu. */
export const PYICLOUD_INSTALL = 'apt-get install -y python3-pyicloud'

/**
 * Whether `probe` (Python code, by default `import pyicloud`) runs: the package is installed, and has
 * what the test needs. Absent under CI=true throws; absent elsewhere warns once with the install command.
 * @param {string} [probe]
 */
export function pyicloudPresent(probe = 'import pyicloud') {
  const present = spawnSync(PYICLOUD_PYTHON, ['-c', probe], { stdio: 'ignore' }).status === 0
  if (!present && process.env.CI === 'true')
    throw new Error(`python3-pyicloud is missing on CI: ${PYICLOUD_INSTALL} (.ci/run installs it)`)
  if (!present) console.warn(`skipped: Debian's pyicloud is not installed; run ${PYICLOUD_INSTALL}`)
  return present
}

/**
 * Runs a Python script with Debian's interpreter and answers its output; a non-zero exit rejects with
 * its standard error.
 * @param {readonly string[]} args
 */
export function runPython(args) {
  return new Promise((resolve, reject) => {
    execFile(PYICLOUD_PYTHON, [...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(
          new Error(`python3 ${args[0]} failed (${error.code ?? error.signal}): ${stderr}`, { cause: error }),
        )
      else resolve({ stdout, stderr })
    })
  })
}
