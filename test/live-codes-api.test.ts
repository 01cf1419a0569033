// Adding friends at scale through the real app: contact QRs (from the puppet or uploaded), one live
// code per channel that opens the QR of the account with most room, and the channel credited to the
// friend request that follows (source tag on the member, channel on the friendship event).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import type { Database } from '../shared/db/client'
import { consumeLiveCodeScan, SCAN_CREDIT_MS, setContactQr } from '../shared/chat/live-codes'
import { botAccounts } from '../shared/db/schema/chat'
import { testDatabase } from './support/db'
import { startTestApp, type TestApp } from './support/app'
import { makeMember, operatorToken } from './support/factories'

let database: Database
let app: TestApp
let admin: string
beforeAll(async () => {
  database = await testDatabase()
  app = await startTestApp(database)
  admin = await operatorToken(database.db)
})
afterAll(async () => {
  await app.close()
  await database.close()
})

describe('contact QRs and live codes', () => {
  it('shows the account with most room, records the showing, and credits the next friend to the channel', async () => {
    const [roomy, busy, noQr] = await database.db
      .insert(botAccounts)
      .values([
        { name: 'lc-roomy', displayName: '小美', state: 'online', friendCapacity: 5000, friendCount: 1000 },
        { name: 'lc-busy', displayName: '小雅', state: 'online', friendCapacity: 5000, friendCount: 4900 },
        { name: 'lc-noqr', displayName: '小安', state: 'online', friendCapacity: 5000, friendCount: 0 },
      ])
      .returning()
    // The puppet's QR for one, an operator's upload for the other; an upload is not replaced by the puppet.
    await setContactQr(database.db, roomy!.id, {
      content: 'https://u.wechat.com/puppet-roomy',
      source: 'puppet',
      at: new Date(),
    })
    const upload = await app.request('PUT', `/api/admin/accounts/${busy!.id}/contact-qr`, {
      token: admin,
      body: { content: 'https://u.wechat.com/upload-busy' },
    })
    expect(upload.status).toBe(200)
    await setContactQr(database.db, busy!.id, {
      content: 'https://u.wechat.com/puppet-busy',
      source: 'puppet',
      at: new Date(),
    })
    const qr = await app.request('GET', `/api/admin/accounts/${busy!.id}/contact-qr`, { token: admin })
    expect(qr.body).toMatchObject({ content: 'https://u.wechat.com/upload-busy', source: 'upload' })
    expect(qr.body.image).toMatch(/^data:image\/png;base64,/)
    const badQr = await app.request('PUT', `/api/admin/accounts/${busy!.id}/contact-qr`, {
      token: admin,
      body: { content: 'not a link' },
    })
    expect(badQr.status).toBe(400)
    expect(badQr.body.error.fields[0].path).toBe('body.content')

    const created = await app.request('POST', '/api/admin/live-codes', {
      token: admin,
      body: { channel: 'parcel_card', name: '包裹卡' },
    })
    expect(created.status).toBe(201)
    expect(created.body.path).toBe(`/live/${created.body.code}`)
    const dup = await app.request('POST', '/api/admin/live-codes', {
      token: admin,
      body: { channel: 'parcel_card', name: '又一个' },
    })
    expect(dup.status).toBe(409)
    const badChannel = await app.request('POST', '/api/admin/live-codes', {
      token: admin,
      body: { channel: 'Parcel Card', name: 'x' },
    })
    expect(badChannel.status).toBe(400)
    expect(badChannel.body.error.fields[0].path).toBe('body.channel')

    // Opened by a shopper (no login): the QR of the account with most room among those with a QR.
    const opened = await app.request('GET', created.body.path)
    expect(opened.status).toBe(200)
    expect(opened.body).toMatchObject({
      channel: 'parcel_card',
      advisor: '小美',
      qr: 'https://u.wechat.com/puppet-roomy',
    })
    expect(noQr).toBeDefined()

    // The friend request that follows on that account is credited to the channel, once.
    const member = await makeMember(database.db)
    const at = new Date()
    expect(await consumeLiveCodeScan(database.db, { accountId: roomy!.id, memberId: member.id, at })).toEqual(
      {
        channel: 'parcel_card',
        name: '包裹卡',
      },
    )
    expect(
      await consumeLiveCodeScan(database.db, { accountId: roomy!.id, memberId: member.id, at }),
    ).toBeNull()
    // A request long after a showing is not credited to it.
    const again = await app.request('GET', created.body.path)
    expect(again.body).toMatchObject({ advisor: '小美' })
    const late = new Date(Date.now() + SCAN_CREDIT_MS + 60_000)
    expect(
      await consumeLiveCodeScan(database.db, { accountId: roomy!.id, memberId: member.id, at: late }),
    ).toBeNull()

    const list = await app.request('GET', '/api/admin/live-codes', { token: admin })
    expect(list.body.items).toEqual([
      expect.objectContaining({ channel: 'parcel_card', scans: 2, friends: 1 }),
    ])

    // A retired code answers 404; with no account that has room, 409.
    await app.request('PATCH', `/api/admin/live-codes/${created.body.id}`, {
      token: admin,
      body: { active: false },
    })
    expect((await app.request('GET', created.body.path)).status).toBe(404)
    const store = await app.request('POST', '/api/admin/live-codes', {
      token: admin,
      body: { channel: 'store_counter', name: '门店收银台' },
    })
    await database.db
      .update(botAccounts)
      .set({ state: 'banned' })
      .where(and(eq(botAccounts.state, 'online')))
    const none = await app.request('GET', store.body.path)
    expect(none.status).toBe(409)
    expect(none.body.error.code).toBe('no_account_with_room')
    expect((await app.request('GET', '/live/nope!')).status).toBe(400)
    expect((await app.request('GET', '/api/admin/live-codes')).status).toBe(401)
  })
})
