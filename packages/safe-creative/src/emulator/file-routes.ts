import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type DurableStore, type EmulatorRequest, type Route, reply } from '@sigwire/emulator-kit'
import type { ParamPair } from '../signing/params.js'
import type { ScContext } from './context.js'
import { confirmShare } from './rights-holders.js'
import { semanticQuery } from './search.js'
import type { TicketRecord, WorkRecord } from './state.js'
import { serveCertificate, serveDownload } from './work-files.js'
import { xmlDocument } from './xml.js'

/**
 * The routes outside `/v2/` that the newer components hand out (docs/protocols/safe-creative.md §9):
 * time-limited downloads, certificate PDFs, the confirmation links of rights sharing, and the
 * `semantic-query` form of the semantic search.
 */
export function fileRoutes(
  ctx: ScContext,
  paramsOf: (request: EmulatorRequest) => readonly ParamPair[],
): Route<unknown>[] {
  const open = (route: Route<undefined>) => route as Route<unknown>
  return [
    open({
      method: 'GET',
      path: '/download/:token',
      auth: 'none',
      maxBodyBytes: 0,
      handle: (request) => serveDownload(ctx, request.params.token!),
    }),
    open({
      method: 'GET',
      path: '/certificates/:file',
      auth: 'none',
      maxBodyBytes: 0,
      handle: (request) => serveCertificate(ctx, request.params.file!.replace(/\.pdf$/, '')),
    }),
    open({
      method: 'GET',
      path: '/shareconfirm/:id',
      auth: 'none',
      maxBodyBytes: 0,
      handle: (request) => confirmShare(ctx, request.tx, request.params.id!),
    }),
    open({
      method: 'GET',
      path: '/semantic-query',
      auth: 'none',
      maxBodyBytes: 0,
      handle: (request) =>
        reply(200, {
          text: xmlDocument(semanticQuery(ctx, paramsOf(request))),
          type: 'application/xml; charset=UTF-8',
        }),
    }),
  ]
}

/** Removes kept files no ticket or work names (a crash between the file and its commit). */
export async function removeOrphanFiles(store: DurableStore, dir: string): Promise<void> {
  const named = new Set<string>()
  for (const t of store.table<TicketRecord>('tickets').values()) if (t.file) named.add(t.file)
  for (const w of store.table<WorkRecord>('works').values()) if (w.file) named.add(w.file)
  for (const name of await readdir(dir)) if (!named.has(name)) await rm(join(dir, name), { force: true })
}
