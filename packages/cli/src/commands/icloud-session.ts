import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { normalizeAppleId, type SessionState, sessionFileName } from '@sigwire/icloud'
import { LARGE_FILE_BYTES, readUserFile } from '../input/read-file.js'
import { cliError } from '../output/errors.js'

/** A saved session found in `--session-dir`. */
export interface SavedSession {
  readonly appleId: string
  readonly state: SessionState
  readonly file: string
}

/**
 * The saved session of `appleId` in `dir` (or of the only account saved there). Unlike the store,
 * which treats a damaged file as no session (a sign-in overwrites it), this says what is wrong:
 * `NO_SESSION`, `INVALID_SESSION` (never quoting the file: it holds cookies and tokens), or
 * `MISSING_OPTION` when several accounts are saved and no `--apple-id` picks one.
 */
export function findSavedSession(dir: string, appleId: string | undefined): SavedSession {
  checkSessionDirectory(dir)
  const file = appleId === undefined ? onlySessionFile(dir) : join(dir, sessionFileName(appleId))
  const again = `sign in again with sigwire icloud login --apple-id ${appleId ?? '<Apple ID>'} (it replaces the file)`
  if (statSync(file, { throwIfNoEntry: false }) === undefined)
    throw cliError(
      'NO_SESSION',
      `No saved session for ${appleId} in ${dir}: run sigwire icloud login --apple-id ${appleId} first.`,
    )
  let state: unknown
  try {
    state = JSON.parse(Buffer.from(readUserFile(file, '--session-dir', LARGE_FILE_BYTES)).toString('utf8'))
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    throw cliError('INVALID_SESSION', `The session file ${file} is damaged (not JSON): ${again}.`)
  }
  const problem = sessionProblem(state, appleId)
  if (problem !== undefined)
    throw cliError('INVALID_SESSION', `The session file ${file} is damaged (${problem}): ${again}.`)
  const saved = state as SessionState
  return { appleId: saved.appleId, state: saved, file }
}

/** Refuses a `--session-dir` that is a file. */
export function checkSessionDirectory(dir: string): void {
  let isFile = false
  try {
    isFile = statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false
  } catch (error) {
    isFile = (error as NodeJS.ErrnoException).code === 'ENOTDIR'
  }
  if (isFile)
    throw cliError(
      'NOT_A_DIRECTORY',
      `--session-dir names ${dir}, which is (or is under) a file: name a directory.`,
    )
}

function onlySessionFile(dir: string): string {
  const files = statSync(dir, { throwIfNoEntry: false })
    ? readdirSync(dir).filter((f) => f.endsWith('.session.json'))
    : []
  if (files.length === 0)
    throw cliError(
      'NO_SESSION',
      `No saved sessions in ${dir}: run sigwire icloud login --apple-id <Apple ID> first.`,
    )
  if (files.length > 1)
    throw cliError(
      'MISSING_OPTION',
      `${files.length} sessions are saved in ${dir}: pass --apple-id to pick one.`,
    )
  return join(dir, files[0]!)
}

/** What makes a parsed session file unusable, if anything (field names only, never values). */
function sessionProblem(state: unknown, appleId: string | undefined): string | undefined {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return 'not a JSON object'
  const s = state as Record<string, unknown>
  if (s.version !== 1) return 'not a version 1 session'
  if (typeof s.appleId !== 'string' || s.appleId === '') return 'no appleId'
  if (typeof s.clientId !== 'string') return 'no clientId'
  if (appleId !== undefined && normalizeAppleId(s.appleId) !== normalizeAppleId(appleId))
    return 'it belongs to another Apple ID'
  if (s.endpoints !== undefined) {
    const e = s.endpoints as Record<string, unknown> | null
    if (
      typeof e !== 'object' ||
      e === null ||
      ![e.authUrl, e.setupUrl, e.homeUrl].every((u) => typeof u === 'string' && URL.canParse(u))
    )
      return 'its endpoints are not three URLs'
  }
  return undefined
}
