// The features through the mock puppet: two accounts run by one supervisor in one process, driven by
// simulated WeChat users (friend requests, messages, groups), checked against the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, like } from 'drizzle-orm'
import type { mock } from 'wechaty-puppet-mock'
import type { Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { issueBindCode } from '../../shared/chat/binding'
import { inviteToGroup } from '../../shared/chat/groups'
import { enqueueOutbound } from '../../shared/chat/outbox'
import {
  botAccounts,
  chatGroupMembers,
  chatGroups,
  chatTickets,
  outboundMessages,
} from '../../shared/db/schema/chat'
import { grantPoints } from '../../shared/points/ledger'
import { memberTiers, tierLadders, tierLevels } from '../../shared/db/schema/loyalty'
import { memberEvents, memberIdentities, members, memberTags, tags } from '../../shared/db/schema/members'
import { testDatabase } from '../../test/support/db'
import { silentLogger, testConfig } from '../../test/support/config'
import { makeMember } from '../../test/support/factories'
import { Supervisor, type RunningAccount } from '../supervisor'

let database: Database
let supervisor: Supervisor
let a: RunningAccount
let b: RunningAccount
const clock = new VirtualClock('2026-03-02T10:00:00+08:00')

/**
 * Waits for a condition while the virtual clock moves on: replies, acceptances and welcomes leave
 * through the paced outbox after their human delay and pacing gaps, measured on this clock.
 */
const waitFor = async <T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> => {
  const deadline = Date.now() + 30_000
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`)
    clock.advance(2_000)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** What the simulated user hears from the account. */
function inbox(contact: mock.ContactMock | mock.RoomMock): string[] {
  const heard: string[] = []
  contact.on('message', (m: { text(): string | undefined }) => {
    heard.push(m.text() ?? '')
  })
  return heard
}

const self = (r: RunningAccount) => r.mocker!.ContactMock.load(r.bot.currentUser.id)
const eventsOf = (memberId: number, type: string) =>
  database.db
    .select()
    .from(memberEvents)
    .where(and(eq(memberEvents.memberId, memberId), eq(memberEvents.type, type as never)))

beforeAll(async () => {
  database = await testDatabase()
  const [acctA, acctB] = await database.db
    .insert(botAccounts)
    .values([
      { name: 'features-a', displayName: '小美 · 专属顾问' },
      { name: 'features-b', displayName: '小雅 · 专属顾问' },
    ])
    .returning()
  supervisor = new Supervisor(
    { db: database.db, logger: silentLogger(), config: testConfig(), clock },
    {
      owner: 'features',
      tickMs: 0,
      invitesEveryMs: 0,
      senderPollMs: 20,
      leaseTtlMs: 365 * 24 * 3600_000,
      storeHosts: ['shop.example.cn'],
    },
  )
  await supervisor.start()
  a = supervisor.running.get(acctA!.id)!
  b = supervisor.running.get(acctB!.id)!
  await waitFor('both online', async () => a.bot.isLoggedIn && b.bot.isLoggedIn)
})
afterAll(async () => {
  await supervisor.stop()
  await database.close()
})

describe('bot features through the mock puppet', () => {
  it('binds a friend request that carries a code: welcome sent, remark and tag written; 积分 answers from the ledger', async () => {
    const member = await makeMember(database.db, { name: '王丽' })
    await grantPoints(database.db, {
      memberId: member.id,
      amount: 1280,
      sourceKey: `t:${member.id}`,
      reason: '测试',
      at: clock.now(),
      expiresAt: null,
    })
    const { code, advisorName } = await issueBindCode(database.db, member.id, clock.now())
    expect(advisorName).toMatch(/顾问/)
    const contact = a.mocker!.createContact({ name: '丽丽' })
    const heard = inbox(contact)
    a.puppet!.receiveFriendRequest(contact, `你好，我的绑定码 ${code}`)

    const identity = `${a.account.id}:${contact.id}`
    const bound = await waitFor('bound', async () => {
      const [row] = await database.db
        .select()
        .from(memberIdentities)
        .where(eq(memberIdentities.value, identity))
      return row
    })
    expect(bound).toMatchObject({ memberId: member.id, kind: 'chat_contact', verified: true })
    await waitFor('welcome', async () => heard.some((t) => t.includes(member.memberNo)))
    expect(heard[0]).toMatch(/王丽您好，我是您的专属顾问小美/)
    await waitFor('remark', async () => a.mocker!.contactPayload(contact.id).alias?.includes(member.memberNo))
    const tagRows = await waitFor('source tag', async () => {
      const rows = await database.db
        .select({ name: tags.name })
        .from(memberTags)
        .innerJoin(tags, eq(tags.id, memberTags.tagId))
        .where(eq(memberTags.memberId, member.id))
      return rows.length ? rows : null
    })
    expect(tagRows.map((t) => t.name)).toContain('小程序绑定')
    expect(await eventsOf(member.id, 'friend_added')).toHaveLength(1)

    contact.say('积分').to(self(a))
    await waitFor('points reply', async () => heard.some((t) => t.includes('1280')))
    const chats = await waitFor('timeline', async () => {
      const rows = await eventsOf(member.id, 'chat_message')
      return rows.length >= 3 ? rows : null
    })
    const payloads = chats.map((c) => c.payload as Record<string, unknown>)
    expect(payloads).toContainEqual(
      expect.objectContaining({
        direction: 'in',
        text: '积分',
        accountId: a.account.id,
        messageType: 'text',
      }),
    )
    expect(payloads).toContainEqual(expect.objectContaining({ direction: 'out', origin: 'keyword:points' }))
  })

  it('keeps an unbound contact as a lead, answers privately only after binding, and joins the lead into the member', async () => {
    const member = await makeMember(database.db, { name: '陈静' })
    const contact = a.mocker!.createContact({ name: '静静' })
    const heard = inbox(contact)
    contact.say('会员卡').to(self(a))
    await waitFor('privacy reply', async () => heard.some((t) => t.includes('绑定码')))
    const [lead] = await database.db
      .select({ member: members })
      .from(memberIdentities)
      .innerJoin(members, eq(members.id, memberIdentities.memberId))
      .where(eq(memberIdentities.value, `${a.account.id}:${contact.id}`))
    expect(lead!.member).toMatchObject({ stage: 'stranger', source: 'chat', nickname: '静静' })
    expect(lead!.member.id).not.toBe(member.id)

    const { code } = await issueBindCode(database.db, member.id, clock.now())
    contact.say(`绑定 ${code}`).to(self(a))
    await waitFor('bound reply', async () => heard.some((t) => t.includes('绑定成功')))
    const [merged] = await database.db.select().from(members).where(eq(members.id, lead!.member.id))
    expect(merged!.mergedIntoId).toBe(member.id)
    // The lead's chat history moved to the member.
    const moved = await eventsOf(member.id, 'chat_message')
    expect(moved.map((e) => (e.payload as { text: string }).text)).toContain('会员卡')
    expect(await eventsOf(lead!.member.id, 'chat_message')).toHaveLength(0)
  })

  it('finds a member again by the remark after the contact id changed (re-login)', async () => {
    const member = await makeMember(database.db, { name: '赵敏' })
    await grantPoints(database.db, {
      memberId: member.id,
      amount: 77,
      sourceKey: `t:${member.id}`,
      reason: '测试',
      at: clock.now(),
      expiresAt: null,
    })
    const renamed = a.mocker!.createContact({ name: '敏敏', alias: `赵敏 ${member.memberNo}` })
    const heard = inbox(renamed)
    renamed.say('积分').to(self(a))
    await waitFor('points by remark', async () => heard.some((t) => t.includes('77')))
    const [identity] = await database.db
      .select()
      .from(memberIdentities)
      .where(eq(memberIdentities.value, `${a.account.id}:${renamed.id}`))
    expect(identity!.memberId).toBe(member.id)
  })

  it('turns a complaint into a ticket, a tag and a feedback event', async () => {
    const member = await makeMember(database.db, { name: '孙婷' })
    const contact = a.mocker!.createContact({ name: '婷婷', alias: `孙婷 ${member.memberNo}` })
    const heard = inbox(contact)
    contact.say('面霜用了两天脸就过敏了，怎么回事').to(self(a))
    const ticket = await waitFor('ticket', async () => {
      const [t] = await database.db.select().from(chatTickets).where(eq(chatTickets.memberId, member.id))
      return t
    })
    expect(ticket).toMatchObject({ status: 'open', category: 'complaint', accountId: a.account.id })
    await waitFor('ack', async () => heard.some((t) => t.includes('收到您的反馈')))
    const tagged = await database.db
      .select({ name: tags.name })
      .from(memberTags)
      .innerJoin(tags, eq(tags.id, memberTags.tagId))
      .where(eq(memberTags.memberId, member.id))
    expect(tagged.map((t) => t.name)).toContain('投诉')
    expect(await eventsOf(member.id, 'feedback')).toHaveLength(1)
  })

  it('welcomes and records a group join and a leave; a store link posted there is a share', async () => {
    const member = await makeMember(database.db, { name: '李雪' })
    const contact = a.mocker!.createContact({ name: '雪儿', alias: `李雪 ${member.memberNo}` })
    const room = a.mocker!.createRoom({ topic: '护肤交流群', memberIdList: [a.bot.currentUser.id] })
    const roomHeard = inbox(room)
    room.add(contact).by(self(a))
    await waitFor('group welcome', async () => roomHeard.some((t) => t.includes('欢迎 雪儿')))
    const [group] = await database.db.select().from(chatGroups).where(eq(chatGroups.roomId, room.id))
    expect(group).toMatchObject({ accountId: a.account.id, topic: '护肤交流群', memberCount: 1 })
    expect(await eventsOf(member.id, 'group_joined')).toHaveLength(1)

    a.puppet!.postLink(contact, room, { url: 'https://shop.example.cn/p/3?sc=LX01', title: '修护面霜' })
    const [share] = await waitFor('share', async () => {
      const rows = await eventsOf(member.id, 'share')
      return rows.length ? rows : null
    })
    expect(share!.payload).toMatchObject({
      chatGroupId: group!.id,
      via: 'link',
      shareCode: 'LX01',
      channel: 'group',
    })

    room.remove(contact).by(self(a))
    await waitFor('left', async () => (await eventsOf(member.id, 'group_left')).length === 1)
    const [after] = await database.db.select().from(chatGroups).where(eq(chatGroups.id, group!.id))
    expect(after!.memberCount).toBe(0)
  })

  it('runs two accounts in one process that see only their own contacts', async () => {
    const onlyB = b.mocker!.createContact({ name: '只加了小雅' })
    const aContacts = (await a.bot.Contact.findAll()).map((c) => c.id)
    const bContacts = (await b.bot.Contact.findAll()).map((c) => c.id)
    expect(bContacts).toContain(onlyB.id)
    expect(aContacts).not.toContain(onlyB.id)
    expect(aContacts.filter((id) => bContacts.includes(id))).toEqual([])

    const heard = inbox(onlyB)
    onlyB.say('人工').to(self(b))
    await waitFor('handoff reply', async () => heard.some((t) => t.includes('小雅')))
    const ids = await database.db
      .select({ value: memberIdentities.value })
      .from(memberIdentities)
      .where(like(memberIdentities.value, `%:${onlyB.id}`))
    expect(ids.map((i) => i.value)).toEqual([`${b.account.id}:${onlyB.id}`])
  })

  it('opts out on 退订, and the sender then skips that member while delivering to others', async () => {
    const stays = await makeMember(database.db, { name: '周琳' })
    const leaves = await makeMember(database.db, { name: '吴雪' })
    const cStays = a.mocker!.createContact({ name: '琳', alias: `周琳 ${stays.memberNo}` })
    const cLeaves = a.mocker!.createContact({ name: '雪', alias: `吴雪 ${leaves.memberNo}` })
    const heardStays = inbox(cStays)
    const heardLeaves = inbox(cLeaves)
    cStays.say('你好').to(self(a))
    cLeaves.say('退订').to(self(a))
    await waitFor('opt-out reply', async () => heardLeaves.some((t) => t.includes('已为您退订')))
    const [row] = await database.db.select().from(members).where(eq(members.id, leaves.id))
    expect(row!.optedOutAt).not.toBeNull()
    await waitFor('stays bound', async () => (await eventsOf(stays.id, 'chat_message')).length > 0)

    for (const m of [stays, leaves]) {
      await enqueueOutbound(database.db, {
        dedupeKey: `spring:${m.id}`,
        accountId: a.account.id,
        kind: 'direct',
        memberId: m.id,
        text: '春季上新，会员专享 8 折',
        source: 'campaign',
        notBefore: clock.now(),
      })
    }
    await waitFor('delivered', async () => heardStays.some((t) => t.includes('春季上新')))
    const rows = await waitFor('both done', async () => {
      clock.advance(5_000) // the account's pace: the next message waits its gap
      const r = await database.db
        .select()
        .from(outboundMessages)
        .where(like(outboundMessages.dedupeKey, 'spring:%'))
      return r.every((x) => x.status !== 'queued' && x.status !== 'claimed' && x.status !== 'sending')
        ? r
        : null
    })
    expect(Object.fromEntries(rows.map((r) => [r.memberId, r.status]))).toEqual({
      [stays.id]: 'sent',
      [leaves.id]: 'skipped',
    })
    expect(heardLeaves.some((t) => t.includes('春季上新'))).toBe(false)
  })

  it('invites a qualifying member; when the group is full the account opens the next one', async () => {
    const [ladder] = await database.db
      .insert(tierLadders)
      .values({ code: 't-vip', name: '付费会员', kind: 'vertical', basis: 'paid' })
      .returning()
    const [level] = await database.db
      .insert(tierLevels)
      .values({ ladderId: ladder!.id, code: 'V2', name: 'V2 金卡', rank: 2 })
      .returning()
    const first = await makeMember(database.db, { name: '一号' })
    const second = await makeMember(database.db, { name: '二号' })
    const third = await makeMember(database.db, { name: '三号' })
    const c1 = a.mocker!.createContact({ name: '一号', alias: `一号 ${first.memberNo}` })
    const c2 = a.mocker!.createContact({ name: '二号', alias: `二号 ${second.memberNo}` })
    const c3 = a.mocker!.createContact({ name: '三号', alias: `三号 ${third.memberNo}` })
    c2.say('在吗').to(self(a))
    c3.say('在吗').to(self(a))
    await waitFor(
      'bound by remark',
      async () =>
        (await eventsOf(second.id, 'chat_message')).length > 0 &&
        (await eventsOf(third.id, 'chat_message')).length > 0,
    )
    const room = a.mocker!.createRoom({ topic: 'V2 金卡会员群', memberIdList: [a.bot.currentUser.id] })
    room.add(c1).by(self(a))
    await waitFor('first in', async () => (await eventsOf(first.id, 'group_joined')).length === 1)
    const [full] = await database.db
      .update(chatGroups)
      .set({ purpose: 'tier', tierLevelId: level!.id, capacity: 1 })
      .where(eq(chatGroups.roomId, room.id))
      .returning()
    await database.db.insert(memberTiers).values({
      memberId: second.id,
      ladderId: ladder!.id,
      levelId: level!.id,
      startsAt: clock.now(),
      source: 'test',
    })

    // The group is full: the next one opens with the two members waiting for it.
    await inviteToGroup(database.db, full!.id, [second.id, third.id], clock.now())
    const sibling = await waitFor('sibling group', async () => {
      clock.advance(5_000)
      const [g] = await database.db.select().from(chatGroups).where(eq(chatGroups.topic, 'V2 金卡会员群 2群'))
      return g
    })
    expect(sibling).toMatchObject({ purpose: 'tier', tierLevelId: level!.id, accountId: a.account.id })
    const present = await waitFor('both in the new group', async () => {
      const rows = await database.db
        .select()
        .from(chatGroupMembers)
        .where(eq(chatGroupMembers.chatGroupId, sibling.id))
      return rows.length === 2 ? rows : null
    })
    expect(present.map((p) => [p.memberId, p.contactId]).sort()).toEqual(
      [
        [second.id, c2.id],
        [third.id, c3.id],
      ].sort(),
    )
    const invites = await waitFor('both invitations done', async () => {
      const rows = await database.db
        .select()
        .from(outboundMessages)
        .where(like(outboundMessages.dedupeKey, `invite:group:${full!.id}:%`))
      return rows.every((r) => r.status === 'sent') ? rows : null
    })
    expect(invites.map((i) => i.status)).toEqual(['sent', 'sent'])
  })

  it('survives a puppet error: the account stays online and keeps answering', async () => {
    a.bot.puppet.emit('error', { data: 'simulated puppet failure' } as never)
    const member = await makeMember(database.db, { name: '钱芳' })
    const contact = a.mocker!.createContact({ name: '芳', alias: `钱芳 ${member.memberNo}` })
    const heard = inbox(contact)
    contact.say('订单').to(self(a))
    await waitFor('orders reply', async () => heard.some((t) => t.includes('暂时还没有订单')))
    expect(a.bot.isLoggedIn).toBe(true)
  })

  it('answers after a human delay through the paced outbox, and spreads friend acceptances', async () => {
    const member = await makeMember(database.db, { name: '孙悦' })
    const contact = a.mocker!.createContact({ name: '悦', alias: `孙悦 ${member.memberNo}` })
    const heard = inbox(contact)
    const asked = clock.now().getTime()
    contact.say('会员卡').to(self(a))
    await waitFor('card reply', async () => heard.some((t) => t.includes(member.memberNo)))
    // The contact hears the reply before the sender records it as sent: wait for the record.
    const reply = await waitFor('card reply recorded', async () => {
      const [row] = await database.db
        .select()
        .from(outboundMessages)
        .where(and(eq(outboundMessages.memberId, member.id), like(outboundMessages.source, 'keyword:card')))
      return row?.status === 'sent' ? row : null
    })
    expect(reply).toMatchObject({ action: 'reply', status: 'sent' })
    // Not straight out: at least the shortest human delay after the question.
    expect(reply!.notBefore.getTime() - asked).toBeGreaterThanOrEqual(3_000)
    expect(reply!.sentAt!.getTime()).toBeGreaterThanOrEqual(reply!.notBefore.getTime())

    const first = a.mocker!.createContact({ name: '新朋友一' })
    const second = a.mocker!.createContact({ name: '新朋友二' })
    a.puppet!.receiveFriendRequest(first, '你好')
    a.puppet!.receiveFriendRequest(second, '你好呀')
    const accepted = await waitFor('both accepted', async () => {
      const rows = await database.db
        .select()
        .from(outboundMessages)
        .where(
          and(eq(outboundMessages.accountId, a.account.id), eq(outboundMessages.action, 'friend_accept')),
        )
      const mine = rows.filter((r) => r.text === '你好' || r.text === '你好呀')
      return mine.length === 2 && mine.every((r) => r.status === 'sent') ? mine : null
    })
    expect(a.mocker!.contactPayload(first.id).friend).toBe(true)
    expect(a.mocker!.contactPayload(second.id).friend).toBe(true)
    const [t1, t2] = accepted.map((r) => r.sentAt!.getTime()).sort((x, y) => x - y)
    // Friend acceptance is its own kind, 2–6 minutes apart.
    expect(t2! - t1!).toBeGreaterThanOrEqual(120_000)
  })
})
