import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { VirtualClock } from '../../shared/clock'
import { acquireLeases } from '../../shared/chat/accounts'
import { enqueueOutbound } from '../../shared/chat/outbox'
import { advisorReassignments, botAccounts, chatGroups, outboundMessages } from '../../shared/db/schema/chat'
import { inQuietHours, defaultKindLimits, defaultPacingPolicy } from '../../shared/chat/pacing'
import { members } from '../../shared/db/schema/members'
import { testDatabase } from '../../test/support/db'
import { silentLogger } from '../../test/support/config'
import {
  makeAccounts,
  makeFriends,
  recordingTransport,
  shanghaiDay,
  type Delivery,
} from '../../test/support/chat'
import { AccountSender } from './account-sender'
import { simulate } from './simulation'

let database: Database
beforeAll(async () => {
  database = await testDatabase()
})
afterAll(async () => {
  await database.close()
})

const YEAR = 365 * 24 * 3600_000
/** Accounts past their warm-up ramp. */
const established = { firstLoginAt: new Date('2025-01-01T00:00:00Z') }
/** A seeded generator, so a failure can be replayed. */
function seeded(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

async function enqueueGreetings(accountId: number, memberIds: number[], key: string) {
  await database.db.execute(sql`
    insert into outbound_messages (dedupe_key, account_id, member_id, kind, text, source, not_before)
    select ${key} || ':' || m, ${accountId}, m, 'direct', '新春快乐！' || m, 'campaign', '2026-01-01T00:00:00Z'
    from unnest(${`{${memberIds.join(',')}}`}::bigint[]) m`)
}

function senderFor(
  accountId: number,
  clock: VirtualClock,
  owner: string,
  log: Delivery[],
  fail?: Parameters<typeof recordingTransport>[3],
) {
  return new AccountSender(
    { db: database.db, clock, logger: silentLogger(), owner, random: seeded(accountId * 7919) },
    accountId,
    recordingTransport(accountId, log, () => clock.now(), fail),
  )
}

describe('paced sender on a virtual clock', () => {
  // ~6 queries a message: seconds on an idle machine, minutes on a busy one.
  it(
    'sends 5,000 messages over 5 accounts without breaking any interval, cap or quiet hours',
    { timeout: 30 * 60_000 },
    async () => {
      const clock = new VirtualClock('2026-03-02T07:00:00+08:00')
      const accounts = await makeAccounts(database, 5, established)
      const ids = accounts.map((a) => a.id)
      await acquireLeases(database.db, { owner: 'bot-1', now: clock.now(), ttlMs: YEAR })
      const friends = await makeFriends(database, ids, 990)
      const groups = new Map<number, number>()
      for (const id of ids) {
        await enqueueGreetings(id, friends.get(id)!, `spring:${id}`)
        const [g] = await database.db
          .insert(chatGroups)
          .values({ accountId: id, roomId: `room-${id}@chatroom`, topic: '会员群' })
          .returning()
        groups.set(id, g!.id)
        for (let i = 0; i < 10; i++) {
          await enqueueOutbound(database.db, {
            dedupeKey: `post:${id}:${i}`,
            accountId: id,
            kind: 'group',
            chatGroupId: g!.id,
            text: `群公告 ${i}`,
            source: 'notice',
            notBefore: new Date('2026-01-01T00:00:00Z'),
          })
        }
      }
      const log: Delivery[] = []
      await simulate(
        ids.map((id) => senderFor(id, clock, 'bot-1', log)),
        { clock },
      )

      expect(log).toHaveLength(5000)
      const night = { quietStart: '22:00', quietEnd: '08:30' }
      for (const id of ids) {
        const mine = log.filter((d) => d.accountId === id).sort((a, b) => a.at - b.at)
        expect(mine).toHaveLength(1000)
        const perDay = new Map<string, number>()
        let lastGroup = -Infinity
        let lastDirect = -Infinity
        for (let i = 0; i < mine.length; i++) {
          const d = mine[i]!
          expect(inQuietHours(new Date(d.at), night)).toBe(false)
          // Any two actions at least 3 s apart; 1:1 messages 8 s; group posts 20 s.
          if (i > 0) expect(d.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(3_000)
          if (d.kind === 'room') {
            expect(d.at - lastGroup).toBeGreaterThanOrEqual(defaultKindLimits.group_post.gapMs[0])
            lastGroup = d.at
          } else {
            expect(d.at - lastDirect).toBeGreaterThanOrEqual(defaultKindLimits.direct.gapMs[0])
            lastDirect = d.at
            perDay.set(shanghaiDay(d.at), (perDay.get(shanghaiDay(d.at)) ?? 0) + 1)
          }
        }
        expect(Math.max(...perDay.values())).toBeLessThanOrEqual(300)
        // 1,000 at 300 a day: four sending days, the first from 08:30.
        expect(perDay.size).toBe(4)
      }
      const targets = log.map((d) => `${d.accountId}:${d.target}:${d.text}`)
      expect(new Set(targets).size).toBe(5000)
      const [left] = await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(outboundMessages)
        .where(inArray(outboundMessages.accountId, ids))
      expect(left!.n).toBe(5000)
      const statuses = await database.db
        .select({ status: outboundMessages.status, n: sql<number>`count(*)::int` })
        .from(outboundMessages)
        .where(inArray(outboundMessages.accountId, ids))
        .groupBy(outboundMessages.status)
      expect(statuses).toEqual([{ status: 'sent', n: 5000 }])
    },
  )

  it(
    'after a crash in the middle and a restart by another process, nobody gets anything twice',
    { timeout: 10 * 60_000 },
    async () => {
      const clock = new VirtualClock('2026-03-02T09:00:00+08:00')
      const accounts = await makeAccounts(database, 2, established)
      const ids = accounts.map((a) => a.id)
      await acquireLeases(database.db, { owner: 'bot-old', now: clock.now(), ttlMs: 15 * 60_000 })
      const friends = await makeFriends(database, ids, 40)
      for (const id of ids) await enqueueGreetings(id, friends.get(id)!, `crash:${id}`)
      const log: Delivery[] = []
      // The first process sends a while, then dies while WeChat is taking account 0's 21st message.
      let count = 0
      const hang = (d: Delivery) => (d.accountId === ids[0] && ++count === 21 ? 'hang' : null)
      const old = [senderFor(ids[0]!, clock, 'bot-old', log, hang), senderFor(ids[1]!, clock, 'bot-old', log)]
      void simulate(old, { clock })
      // The simulation hangs with the process; wait until the hanging delivery was made.
      const deadline = Date.now() + 120_000
      while (count < 21 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      expect(count).toBe(21)
      // It also had claimed a message it never got to send.
      await database.db.execute(sql`
      update outbound_messages set status = 'claimed', claimed_by = 'bot-old', claimed_until = ${new Date(clock.now().getTime() + 120_000).toISOString()}::timestamptz, attempts = attempts + 1
      where id = (select id from outbound_messages where account_id = ${ids[1]!} and status = 'queued' order by id limit 1)`)

      // Its leases and claims expire; another process takes the accounts over.
      clock.advance(20 * 60_000)
      const taken = await acquireLeases(database.db, { owner: 'bot-new', now: clock.now(), ttlMs: YEAR })
      expect(taken.map((a) => a.id)).toEqual(expect.arrayContaining(ids))
      await simulate(
        ids.map((id) => senderFor(id, clock, 'bot-new', log)),
        { clock },
      )

      const byTarget = new Map<string, number>()
      for (const d of log)
        byTarget.set(`${d.accountId}:${d.target}`, (byTarget.get(`${d.accountId}:${d.target}`) ?? 0) + 1)
      expect([...byTarget.values()].every((n) => n === 1)).toBe(true)
      expect(byTarget.size).toBe(80)
      const rows = await database.db
        .select({
          status: outboundMessages.status,
          n: sql<number>`count(*)::int`,
          error: sql<string>`max(${outboundMessages.lastError})`,
        })
        .from(outboundMessages)
        .where(inArray(outboundMessages.accountId, ids))
        .groupBy(outboundMessages.status)
      // The one that was being handed over cannot be known to have left: a dead letter, not a resend.
      expect(rows.find((r) => r.status === 'dead')).toMatchObject({
        n: 1,
        error: expect.stringMatching(/interrupted/),
      })
      expect(rows.find((r) => r.status === 'sent')?.n).toBe(79)
    },
  )

  it(
    '"too frequent" pauses that kind of that account for 12–24 hours, and no other account',
    { timeout: 10 * 60_000 },
    async () => {
      const clock = new VirtualClock('2026-03-03T10:00:00+08:00')
      const [a, b] = await makeAccounts(database, 2, established)
      await acquireLeases(database.db, { owner: 'bot-f', now: clock.now(), ttlMs: YEAR })
      const friends = await makeFriends(database, [a!.id, b!.id], 40)
      await enqueueGreetings(a!.id, friends.get(a!.id)!, 'freq')
      await enqueueGreetings(b!.id, friends.get(b!.id)!, 'freq')
      const log: Delivery[] = []
      let aSends = 0
      let limitedAt = 0
      const tooFrequent = (d: Delivery) => {
        if (++aSends !== 3) return null
        limitedAt = d.at
        return new Error('发送失败：操作过于频繁，请稍后再试 (too frequent)')
      }
      await simulate(
        [senderFor(a!.id, clock, 'bot-f', log, tooFrequent), senderFor(b!.id, clock, 'bot-f', log)],
        { clock, until: new Date('2026-03-03T12:00:00+08:00') },
      )
      const [accountA] = await database.db.select().from(botAccounts).where(eq(botAccounts.id, a!.id))
      const [accountB] = await database.db.select().from(botAccounts).where(eq(botAccounts.id, b!.id))
      expect(accountA!.state).toBe('limited')
      const pause = accountA!.pausedUntil!.getTime() - limitedAt
      expect(pause).toBeGreaterThanOrEqual(12 * 3600_000)
      expect(pause).toBeLessThanOrEqual(24 * 3600_000)
      expect(accountB!.pausedUntil).toBeNull()
      expect(log.filter((d) => d.accountId === a!.id)).toHaveLength(2)
      expect(log.filter((d) => d.accountId === b!.id)).toHaveLength(40)

      // After the pause A finishes, and the refused message was not charged an attempt.
      await simulate([senderFor(a!.id, clock, 'bot-f', log)], { clock })
      const aLog = log.filter((d) => d.accountId === a!.id)
      expect(aLog).toHaveLength(40)
      expect(aLog[2]!.at).toBeGreaterThanOrEqual(accountA!.pausedUntil!.getTime())
      const [again] = await database.db.select().from(botAccounts).where(eq(botAccounts.id, a!.id))
      expect(again!.state).toBe('online')
      const attempts = await database.db
        .select({ attempts: outboundMessages.attempts })
        .from(outboundMessages)
        .where(eq(outboundMessages.accountId, a!.id))
      expect(attempts.every((r) => r.attempts === 1)).toBe(true)
    },
  )

  it(
    'checks opt-out before every send, fails a non-friend, and retries up to the maximum into a dead letter',
    { timeout: 5 * 60_000 },
    async () => {
      const clock = new VirtualClock('2026-03-04T10:00:00+08:00')
      const [a] = await makeAccounts(database, 1, established)
      await acquireLeases(database.db, { owner: 'bot-o', now: clock.now(), ttlMs: YEAR })
      const [m1, m2, m3] = (await makeFriends(database, [a!.id], 3)).get(a!.id)!
      const [stranger] = await database.db
        .insert(members)
        .values({ name: '未加好友', source: 'test' })
        .returning()
      for (const m of [m1!, m2!, m3!, stranger!.id]) {
        await enqueueOutbound(database.db, {
          dedupeKey: `o:${m}`,
          accountId: a!.id,
          kind: 'direct',
          memberId: m,
          text: '你好',
          source: 'campaign',
          notBefore: clock.now(),
        })
      }
      // A duplicate enqueue changes nothing.
      expect(
        (
          await enqueueOutbound(database.db, {
            dedupeKey: `o:${m1}`,
            accountId: a!.id,
            kind: 'direct',
            memberId: m1!,
            text: 'x',
            source: 'campaign',
          })
        ).created,
      ).toBe(false)
      // m1 replied 退订 after the message was queued.
      await database.db.update(members).set({ optedOutAt: clock.now() }).where(eq(members.id, m1!))
      const log: Delivery[] = []
      const brokenFor = `c${m3}`
      await simulate(
        [
          senderFor(a!.id, clock, 'bot-o', log, (d) =>
            d.target === brokenFor ? new Error('network unreachable') : null,
          ),
        ],
        { clock },
      )

      const rows = await database.db
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.accountId, a!.id))
      const byMember = new Map(rows.map((r) => [r.memberId, r]))
      expect(byMember.get(m1!)).toMatchObject({
        status: 'skipped',
        lastError: expect.stringMatching(/opted_out/),
      })
      expect(byMember.get(m2!)).toMatchObject({ status: 'sent' })
      expect(byMember.get(stranger!.id)).toMatchObject({
        status: 'failed',
        lastError: expect.stringMatching(/not_a_friend/),
      })
      expect(byMember.get(m3!)).toMatchObject({ status: 'dead', attempts: defaultPacingPolicy.maxAttempts })
      expect(log.map((d) => d.target)).toEqual([`c${m2}`])
    },
  )
  it(
    '"too frequent" again and again within a day: the account counts as banned and its members move to others',
    { timeout: 5 * 60_000 },
    async () => {
      const clock = new VirtualClock('2026-03-05T10:00:00+08:00')
      const [a, b] = await makeAccounts(database, 2, {
        ...established,
        // Short pauses so the three refusals fall within the day.
        pacing: { limitBackoffMs: [10 * 60_000, 10 * 60_000] },
      })
      await database.db
        .update(botAccounts)
        .set({ state: 'disabled' })
        .where(sql`${botAccounts.id} not in (${a!.id}, ${b!.id})`)
      await acquireLeases(database.db, { owner: 'bot-r', now: clock.now(), ttlMs: YEAR })
      const friends = (await makeFriends(database, [a!.id], 6)).get(a!.id)!
      await enqueueGreetings(a!.id, friends, 'refused')
      const log: Delivery[] = []
      let refusals = 0
      await simulate(
        [
          senderFor(a!.id, clock, 'bot-r', log, () => {
            refusals++
            return new Error('发送失败：操作过于频繁 (too frequent)')
          }),
        ],
        { clock, until: new Date('2026-03-05T18:00:00+08:00') },
      )
      expect(refusals).toBe(defaultPacingPolicy.limitsBeforeBan)
      const [account] = await database.db.select().from(botAccounts).where(eq(botAccounts.id, a!.id))
      expect(account).toMatchObject({ state: 'banned', lastError: expect.stringMatching(/多次被微信限制/) })
      const moved = await database.db.select().from(members).where(inArray(members.id, friends))
      expect(moved.map((m) => m.advisorAccountId)).toEqual(friends.map(() => b!.id))
      const records = await database.db
        .select()
        .from(advisorReassignments)
        .where(eq(advisorReassignments.fromAccountId, a!.id))
      expect(records.map((r) => [r.memberId, r.toAccountId]).sort()).toEqual(
        friends.map((m) => [m, b!.id]).sort(),
      )
      // Nothing is left queued on the account that WeChat keeps refusing.
      const queued = await database.db
        .select()
        .from(outboundMessages)
        .where(and(eq(outboundMessages.accountId, a!.id), eq(outboundMessages.status, 'queued')))
      expect(queued).toEqual([])
      await database.db.update(botAccounts).set({ state: 'disabled' }).where(eq(botAccounts.id, b!.id))
    },
  )

  it(
    'sends failing ten times in a row limit the account (every kind paused 12–24 h); a success starts the count again',
    { timeout: 5 * 60_000 },
    async () => {
      const clock = new VirtualClock('2026-03-06T10:00:00+08:00')
      const [a] = await makeAccounts(database, 1, established)
      await acquireLeases(database.db, { owner: 'bot-x', now: clock.now(), ttlMs: YEAR })
      const friends = (await makeFriends(database, [a!.id], 30)).get(a!.id)!
      await enqueueGreetings(a!.id, friends, 'broken')
      const log: Delivery[] = []
      let attempts = 0
      let limitedAt = 0
      // Nine failures, one success, then failures only.
      const flaky = (d: Delivery) => {
        attempts++
        limitedAt = d.at
        return attempts === 10 ? null : new Error('发送失败：网络错误 (ret=1101)')
      }
      await simulate([senderFor(a!.id, clock, 'bot-x', log, flaky)], {
        clock,
        until: new Date('2026-03-06T20:00:00+08:00'),
      })
      const limit = defaultPacingPolicy.failuresBeforeLimited
      expect(log).toHaveLength(1)
      // 9 failed, 1 sent, then 10 failed in a row: limited, and nothing more is tried before the pause ends.
      expect(attempts).toBe(9 + 1 + limit)
      const [account] = await database.db.select().from(botAccounts).where(eq(botAccounts.id, a!.id))
      expect(account).toMatchObject({
        state: 'limited',
        pauseReason: expect.stringMatching(/连续 10 次发送失败：.*1101/),
      })
      const pause = account!.pausedUntil!.getTime() - limitedAt
      expect(pause).toBeGreaterThanOrEqual(12 * 3600_000)
      expect(pause).toBeLessThanOrEqual(24 * 3600_000)
      const state = account!.pacingState as {
        kinds: Record<string, { pausedUntil: number }>
        limits: number[]
      }
      for (const k of ['direct', 'reply', 'group_post', 'link', 'friend_accept', 'invite', 'group_create']) {
        expect(state.kinds[k]!.pausedUntil).toBe(account!.pausedUntil!.getTime())
      }
      // One limit signal: two more such streaks within the day would move the account's members.
      expect(state.limits).toEqual([limitedAt])
    },
  )
})
