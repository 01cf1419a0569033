import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { testDatabase, onPostgresServer } from '../../test/support/db'
import { memberIdentities, members } from '../db/schema/members'
import { findMemberByIdentity, resolveIdentity } from './identity'

let database: Database
beforeAll(async () => {
  database = await testDatabase({ poolMax: 30 })
})
afterAll(async () => {
  await database.close()
})

describe('resolveIdentity', () => {
  it('creates a member for a stranger and finds them again by any of their identities', async () => {
    const first = await resolveIdentity(database.db, {
      identities: [{ kind: 'mp_openid', value: 'oA1' }],
      source: 'miniprogram',
    })
    expect(first.created).toBe(true)
    const again = await resolveIdentity(database.db, {
      identities: [
        { kind: 'mp_openid', value: 'oA1' },
        { kind: 'phone', value: '13600000001' },
      ],
    })
    expect(again.created).toBe(false)
    expect(again.member.id).toBe(first.member.id)
    expect((await findMemberByIdentity(database.db, { kind: 'phone', value: '13600000001' }))!.id).toBe(
      first.member.id,
    )
  })

  it('matches by phone across channels (晏涛 in the store is 三寿 on WeChat)', async () => {
    const store = await resolveIdentity(database.db, {
      identities: [
        { kind: 'store_card', value: 'CARD-0042' },
        { kind: 'phone', value: '13600000042' },
      ],
      profile: { name: '晏涛' },
    })
    const wechat = await resolveIdentity(database.db, {
      identities: [
        { kind: 'chat_contact', value: '1:wxid_sanshou' },
        { kind: 'phone', value: '13600000042' },
      ],
      profile: { nickname: '三寿' },
    })
    expect(wechat.member.id).toBe(store.member.id)
    const ids = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.memberId, store.member.id))
    expect(ids.map((i) => i.kind).sort()).toEqual(['chat_contact', 'phone', 'store_card'])
  })

  it('reports identities that belong to someone else instead of stealing them', async () => {
    const a = await resolveIdentity(database.db, { identities: [{ kind: 'unionid', value: 'uX' }] })
    const b = await resolveIdentity(database.db, { identities: [{ kind: 'phone', value: '13600000077' }] })
    const r = await resolveIdentity(database.db, {
      identities: [
        { kind: 'unionid', value: 'uX' },
        { kind: 'phone', value: '13600000077' },
      ],
    })
    expect(r.member.id).toBe(a.member.id) // unionid is the stronger match
    expect(r.conflicts).toEqual([{ kind: 'phone', value: '13600000077', memberId: b.member.id }])
  })

  it.runIf(onPostgresServer())('makes one member when 25 logins with one phone arrive at once', async () => {
    const before = (await database.db.select({ n: count() }).from(members))[0]!.n
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        resolveIdentity(database.db, {
          identities: [
            { kind: 'phone', value: '13900009999' },
            { kind: 'mp_openid', value: `oConcurrent${i}` },
          ],
        }),
      ),
    )
    const ids = new Set(results.map((r) => r.member.id))
    expect(ids.size).toBe(1)
    expect(results.filter((r) => r.created)).toHaveLength(1)
    const after = (await database.db.select({ n: count() }).from(members))[0]!.n
    expect(after - before).toBe(1)
  })
})
