import { describe, expect, it } from 'vitest'
import { Replayer } from './replay-kit.js'
import { replayEmulators } from './replay-session.js'

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
  const login = await r.send(
    'POST',
    `${e.setupUrl}/login`,
    { 'content-type': 'application/json' },
    { apple_id: ACCOUNT.appleId, password: ACCOUNT.password, extended_login: true },
  )
  expect(login.status).toBe(200)
  const doc = login.json<{ dsInfo: { dsid: string }; webservices: Record<string, Service> }>()
  return { e, r, doc }
}

/** pyicloud's Photos params (`PhotosService.__init__`): the session params plus remapEnums and getCurrentSyncToken. */
function params(dsid: string): string {
  return new URLSearchParams({
    clientBuildNumber: '2534Project66',
    clientMasteringNumber: '2534B22',
    clientId: 'a4d1c0de-0000-4000-8000-000000000001',
    dsid,
    remapEnums: 'True',
    getCurrentSyncToken: 'True',
  }).toString()
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
      `${base}/${dsid}/sharedstreams/webgetalbumslist?${params(dsid)}`,
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
      `${base}/${other}/sharedstreams/webgetalbumslist?${params(dsid)}`,
      TEXT,
      {},
    )
    expect(wrongPath.status).toBe(403)
    const wrongQuery = await r.send(
      'POST',
      `${base}/${dsid}/sharedstreams/webgetalbumslist?${params(other)}`,
      TEXT,
      {},
    )
    expect(wrongQuery.status).toBe(403)
    const stranger = new Replayer(e)
    try {
      const anonymous = await stranger.send(
        'POST',
        `${base}/${dsid}/sharedstreams/webgetalbumslist?${params(dsid)}`,
        TEXT,
        {},
      )
      expect(anonymous.status).toBe(421)
    } finally {
      await stranger.close()
    }
  })
})
