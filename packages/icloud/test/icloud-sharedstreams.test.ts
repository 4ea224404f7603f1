import { describe, expect, it } from 'vitest'
import { pyicloudPhotosParams } from './photos-fixtures.js'
import { Replayer } from './replay-kit.js'
import { legacySetupLogin, replayEmulators } from './replay-session.js'

// The latest pyicloud (timlaing/pyicloud at bd836af) opens `api.photos` only when the account document
// lists `ckdatabasews`, `uploadimagews` and `sharedstreams` (pyicloud/base.py l. 1346-1370), and its
// Photos service lists the shared albums with `webgetalbumslist` (photos_legacy.py l. 647-671),
// replayed here with its query parameters and `text/plain` body (docs/protocols/icloud.md §22).

const ACCOUNT = { appleId: 'streams@example.com', password: 'shared-streams-password-1', twoFactor: false }
const start = replayEmulators()

interface Service {
  url: string
  status?: string
  pcsRequired?: boolean
}

async function signedIn() {
  const { e, r } = await start({ legacyAuth: true, accounts: [ACCOUNT] })
  const doc = await legacySetupLogin<{ dsInfo: { dsid: string }; webservices: Record<string, Service> }>(
    e,
    r,
    ACCOUNT,
  )
  return { e, r, doc }
}

const TEXT = { 'content-type': 'text/plain', accept: '*/*' }

describe('webservices.sharedstreams for the latest pyicloud', () => {
  it('lists the services pyicloud needs for Photos, each on the emulator', async () => {
    const { e, doc } = await signedIn()
    const origin = new URL(e.setupUrl).origin
    for (const name of ['ckdatabasews', 'uploadimagews', 'sharedstreams'])
      expect(doc.webservices[name], name).toMatchObject({ url: `${origin}/ws/${name}`, status: 'active' })
    // Shared albums are not behind Advanced Data Protection's PCS cookies (pyicloud's fixture lists none).
    expect(doc.webservices.sharedstreams?.pcsRequired).toBeUndefined()
  })

  it("answers pyicloud's webgetalbumslist with the account's (empty) album list", async () => {
    const { r, doc } = await signedIn()
    const dsid = String(doc.dsInfo.dsid)
    const base = doc.webservices.sharedstreams!.url
    const answer = await r.send(
      'POST',
      `${base}/${dsid}/sharedstreams/webgetalbumslist?${pyicloudPhotosParams(dsid)}`,
      TEXT,
      {},
    )
    expect(answer.status).toBe(200)
    expect(answer.header('content-type')).toMatch(/^application\/json/)
    expect(answer.json()).toEqual({ albums: [] })
  })

  it("refuses another account's dsid (403) and a request without the session cookie (421)", async () => {
    const { e, r, doc } = await signedIn()
    const dsid = String(doc.dsInfo.dsid)
    const base = doc.webservices.sharedstreams!.url
    const other = `${dsid.slice(0, -1)}${dsid.endsWith('1') ? '2' : '1'}`
    const wrongPath = await r.send(
      'POST',
      `${base}/${other}/sharedstreams/webgetalbumslist?${pyicloudPhotosParams(dsid)}`,
      TEXT,
      {},
    )
    expect(wrongPath.status).toBe(403)
    const wrongQuery = await r.send(
      'POST',
      `${base}/${dsid}/sharedstreams/webgetalbumslist?${pyicloudPhotosParams(other)}`,
      TEXT,
      {},
    )
    expect(wrongQuery.status).toBe(403)
    const stranger = new Replayer(e)
    try {
      const anonymous = await stranger.send(
        'POST',
        `${base}/${dsid}/sharedstreams/webgetalbumslist?${pyicloudPhotosParams(dsid)}`,
        TEXT,
        {},
      )
      expect(anonymous.status).toBe(421)
    } finally {
      await stranger.close()
    }
  })
})
