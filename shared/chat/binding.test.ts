import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import type { Database } from '../db/client'
import { memberIdentities, memberMerges, members } from '../db/schema/members'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { botAccounts } from '../db/schema/chat'
import { bindByCode, bindByPhone, bindCodeIn, issueBindCode, phoneIn } from './binding'
import { aliasFor, contactOnAccount, memberNoInAlias, resolveChatMember } from './contacts'
import { assignAdvisor } from './assignment'

let database: Database
let accountId: number
const at = new Date('2026-03-02T02:00:00Z')

beforeAll(async () => {
  database = await testDatabase()
  const [a] = await database.db
    .insert(botAccounts)
    .values({ name: 'bind-a', displayName: '小美 · 专属顾问' })
    .returning()
  accountId = a!.id
})
afterAll(async () => {
  await database.close()
})

describe('reading codes, phones and remarks', () => {
  it('finds them in free text', () => {
    expect(bindCodeIn('绑定：123456')).toBe('123456')
    expect(bindCodeIn('我的手机 13812345678')).toBeNull()
    expect(phoneIn('电话 138-1234-5678')).toBe('13812345678')
    expect(memberNoInAlias('王丽 M10000042')).toBe('M10000042')
    expect(memberNoInAlias('王丽')).toBeNull()
    expect(aliasFor({ memberNo: 'M10000042', name: '王丽', nickname: null })).toBe('王丽 M10000042')
  })
})

describe('binding a chat contact', () => {
  it('redeems a code once, refuses an unknown or expired one', async () => {
    const member = await makeMember(database.db, { name: '码' })
    const { code, expiresAt } = await issueBindCode(database.db, member.id, at)
    expect(
      await bindByCode(database.db, {
        accountId,
        contactId: 'x1',
        code,
        at: new Date(expiresAt.getTime() + 1),
      }),
    ).toEqual({
      ok: false,
      reason: 'expired_code',
    })
    const ok = await bindByCode(database.db, { accountId, contactId: 'x1', code, at })
    expect(ok).toMatchObject({ ok: true, member: { id: member.id, advisorAccountId: accountId } })
    expect(await bindByCode(database.db, { accountId, contactId: 'x2', code, at })).toEqual({
      ok: false,
      reason: 'unknown_code',
    })
    expect(await contactOnAccount(database.db, member.id, accountId)).toBe('x1')
  })

  it('a new code replaces the member’s earlier one', async () => {
    const member = await makeMember(database.db)
    const first = await issueBindCode(database.db, member.id, at)
    const second = await issueBindCode(database.db, member.id, at)
    if (first.code !== second.code) {
      expect(
        await bindByCode(database.db, { accountId, contactId: 'old', code: first.code, at }),
      ).toMatchObject({ ok: false })
    }
    expect(
      await bindByCode(database.db, { accountId, contactId: 'new', code: second.code, at }),
    ).toMatchObject({ ok: true })
  })

  it('binds by a phone in the greeting only as unverified, and only to an existing member', async () => {
    const member = await makeMember(database.db, { identities: [{ kind: 'phone', value: '13900001111' }] })
    expect(
      await bindByPhone(database.db, { accountId, contactId: 'p1', phone: '13900001111', at }),
    ).toMatchObject({ ok: true })
    const [identity] = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.value, `${accountId}:p1`))
    expect(identity).toMatchObject({ memberId: member.id, verified: false })
    expect(await bindByPhone(database.db, { accountId, contactId: 'p2', phone: '13900002222', at })).toEqual({
      ok: false,
      reason: 'unknown_phone',
    })
  })

  it('joins a lead into the member with its history, recorded as a merge', async () => {
    const lead = await resolveChatMember(database.db, { accountId, contactId: 'lead-1', name: '路人' }, at)
    expect(lead).toMatchObject({
      created: true,
      verified: false,
      member: { stage: 'stranger', source: 'chat' },
    })
    const member = await makeMember(database.db)
    const { code } = await issueBindCode(database.db, member.id, at)
    const bound = await bindByCode(database.db, { accountId, contactId: 'lead-1', code, at })
    expect(bound).toMatchObject({ ok: true, absorbedLeadId: lead.member.id })
    const [gone] = await database.db.select().from(members).where(eq(members.id, lead.member.id))
    expect(gone!.mergedIntoId).toBe(member.id)
    const [merge] = await database.db
      .select()
      .from(memberMerges)
      .where(eq(memberMerges.mergedId, lead.member.id))
    expect(merge).toMatchObject({ survivorId: member.id, reason: 'chat_lead_bound' })
    const again = await resolveChatMember(database.db, { accountId, contactId: 'lead-1' }, at)
    expect(again).toMatchObject({ verified: true, member: { id: member.id } })
  })
})

describe('advisor assignment', () => {
  it('gives the least-loaded account with room, and keeps an advisor once given', async () => {
    const [full, roomy] = await database.db
      .insert(botAccounts)
      .values([
        { name: 'assign-full', displayName: '满', friendCapacity: 1 },
        { name: 'assign-roomy', displayName: '空' },
      ])
      .returning()
    const occupant = await makeMember(database.db)
    await database.db.update(members).set({ advisorAccountId: full!.id }).where(eq(members.id, occupant.id))
    // Every other account already serves someone, so the empty one is least loaded.
    const m = await makeMember(database.db)
    const assigned = await assignAdvisor(database.db, m.id, at)
    expect(assigned).not.toBe(full!.id)
    expect(await assignAdvisor(database.db, m.id, at)).toBe(assigned)
    expect([roomy!.id, accountId]).toContain(assigned)
  })
})
