import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { type Reply, reply, type Transaction } from '@sigwire/emulator-kit'
import { type ParamPair, paramValue } from '../signing/params.js'
import { requirePartner } from './accounts.js'
import { randomKey, type ScContext } from './context.js'
import { missingParameter, scError } from './errors.js'
import { appFor } from './keys.js'
import type { AuthkeyRecord, DownloadRecord, WorkRecord } from './state.js'
import { mimeType, spendTicket } from './works.js'
import type { XmlNode } from './xml.js'

/** How long a download URL works (the wiki says "a limited time"; DECISION: 10 minutes). */
const DOWNLOAD_LIFETIME_MS = 10 * 60_000

/** A work of the authorizing user, or `WorkNotFound`. */
export function ownWork(
  ctx: ScContext,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
  name = 'code',
): WorkRecord {
  const code = paramValue(params, name)
  if (!code) throw missingParameter(name)
  const work = ctx.works.get(code)
  if (!work || work.userCode !== record.userCode) throw scError('WorkNotFound')
  return work
}

function registered(work: WorkRecord): void {
  if (work.state !== 'REGISTERED')
    throw scError('InvalidRequest', `Work ${work.code} is ${work.state}; it must be REGISTERED.`)
}

function issueDownload(
  ctx: ScContext,
  tx: Transaction,
  work: WorkRecord,
  kind: DownloadRecord['kind'],
): string {
  const token = randomKey(32)
  tx.put<DownloadRecord>('downloads', token, {
    code: work.code,
    kind,
    expiresAt: ctx.now() + DOWNLOAD_LIFETIME_MS,
  })
  // Forget expired downloads so the table does not grow without bound.
  for (const [t, d] of ctx.downloads) if (d.expiresAt < ctx.now()) tx.delete('downloads', t)
  return token
}

function downloadInfo(ctx: ScContext, tx: Transaction, work: WorkRecord): XmlNode {
  if (!work.file && work.text === undefined)
    throw scError(
      'InvalidRequest',
      `Work ${work.code} has no content the emulator kept (a registration by URL).`,
    )
  const token = issueDownload(ctx, tx, work, 'ORIGINAL')
  return [
    'downloadinfo',
    [
      ['url', `${ctx.baseUrl()}/download/${token}`],
      ['mimetype', work.filename ? mimeType(work.filename) : 'text/plain'],
      ['type', 'ORIGINAL'],
    ],
  ]
}

/** `work.download.private` (authkey): a download URL of the user's own registered work. */
export function downloadOwnWork(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const work = ownWork(ctx, record, params)
  registered(work)
  return downloadInfo(ctx, tx, work)
}

/** `work.download` (partner, app key): any public, downloadable, registered work. */
export function downloadAnyWork(ctx: ScContext, tx: Transaction, params: readonly ParamPair[]): XmlNode {
  requirePartner(appFor(ctx, params), 'work.download')
  const code = paramValue(params, 'code')
  if (!code) throw missingParameter('code')
  const work = ctx.works.get(code)
  if (!work || work.fields.registrypublic === '0') throw scError('WorkNotFound')
  if (work.fields.allowdownload !== '1')
    throw scError('InvalidRequest', `Work ${code} does not allow downloads.`)
  registered(work)
  return downloadInfo(ctx, tx, work)
}

/** `work.certificate` (authkey, GET): mails the certificate of a registered work (counted in the work). */
export function sendCertificate(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const work = ownWork(ctx, record, params)
  registered(work)
  tx.put<WorkRecord>('works', work.code, { ...work, certificatesSent: (work.certificatesSent ?? 0) + 1 })
  return ['restvalueresponse', [['state', 'ready']]]
}

/** `work.registration-certificate` (authkey, GET): a URL of the certificate PDF. */
export function registrationCertificate(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const work = ownWork(ctx, record, params)
  registered(work)
  const token = issueDownload(ctx, tx, work, 'CERTIFICATE')
  return [
    'downloadinfo',
    [
      ['url', `${ctx.baseUrl()}/certificates/${token}.pdf`],
      ['mimetype', 'application/pdf'],
      ['type', 'CERTIFICATE'],
    ],
  ]
}

/** `work.attachfile` (authkey, MANAGE): spends an upload ticket and attaches its file to the work. */
export function attachFile(
  ctx: ScContext,
  tx: Transaction,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const work = ownWork(ctx, record, params, 'workcode')
  const title = paramValue(params, 'title')
  if (!title) throw missingParameter('title')
  const ticket = paramValue(params, 'uploadticket')
  if (!ticket) throw missingParameter('uploadticket')
  const t = spendTicket(ctx, tx, record, ticket)
  tx.put<WorkRecord>('works', work.code, {
    ...work,
    attachments: [
      ...(work.attachments ?? []),
      {
        title,
        public: paramValue(params, 'public') === '1',
        filename: t.filename,
        size: t.size,
        checksum: t.checksum,
      },
    ],
  })
  return ['restvalueresponse', [['state', 'ready']]]
}

/** `work.uploadticket.status` (authkey, ADD): a ticket of this authkey is ready once its upload committed. */
export function uploadTicketStatus(
  ctx: ScContext,
  record: AuthkeyRecord,
  params: readonly ParamPair[],
): XmlNode {
  const ticket = paramValue(params, 'uploadticket')
  if (!ticket) throw missingParameter('uploadticket')
  const t = ctx.tickets.get(ticket)
  if (!t || t.authkey !== record.authkey) throw scError('InvalidParameter', 'Unknown upload ticket.')
  return ['restvalueresponse', [['state', 'ready']]]
}

/** `GET /download/:token`: the kept bytes of a work (or its text), while the URL is valid. */
export async function serveDownload(ctx: ScContext, token: string): Promise<Reply> {
  const download = ctx.downloads.get(token)
  const work = download?.kind === 'ORIGINAL' ? ctx.works.get(download.code) : undefined
  if (!download || !work || download.expiresAt < ctx.now()) return notFound()
  const name = (work.filename ?? `${work.code}.txt`).replace(/["\r\n\\]/g, '_')
  const disposition = { 'content-disposition': `attachment; filename="${name}"` }
  if (work.file) {
    const path = join(ctx.filesDir, work.file)
    const info = await stat(path).catch(() => undefined)
    if (!info) return notFound()
    return reply(200, { file: path, size: info.size, type: mimeType(work.filename ?? '') }, disposition)
  }
  return reply(200, { text: work.text ?? '', type: 'text/plain; charset=UTF-8' }, disposition)
}

/** `GET /certificates/:token.pdf`: a one-page PDF naming the work (a stand-in for Safe Creative's certificate). */
export function serveCertificate(ctx: ScContext, token: string): Reply {
  const download = ctx.downloads.get(token)
  const work = download?.kind === 'CERTIFICATE' ? ctx.works.get(download.code) : undefined
  if (!download || !work || download.expiresAt < ctx.now()) return notFound()
  return reply(200, { bytes: certificatePdf(work), type: 'application/pdf' })
}

function notFound(): Reply {
  return reply(404, { text: 'This download URL is unknown or expired.', type: 'text/plain; charset=UTF-8' })
}

/** A minimal valid PDF 1.4 with one line of text: the work's code and title (ASCII only). */
function certificatePdf(work: WorkRecord): Uint8Array {
  const line = `Safe Creative registration ${work.code}: ${work.fields.title ?? ''}`
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/([()\\])/g, '\\$1')
  const stream = `BT /F1 12 Tf 72 720 Td (${line}) Tj ET`
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return new TextEncoder().encode(out)
}
