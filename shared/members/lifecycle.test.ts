import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database, type Db } from '../db/client'
import { testDatabase, onPostgresServer } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { VirtualClock } from '../clock'
import { recordMemberEvent } from './events'
import { recomputeLifecycle, refreshLifecycle, stageFunnel } from './lifecycle'
import { emptyFacts, type MemberFacts } from './facts'
import { judgeMember } from './lifecycle-rules'
import { repurchaserAdvice } from './labels'

let database: Database
let db: Db
const clock = new VirtualClock('2026-03-01T02:00:00Z')
const DAY = 86_400_000

beforeAll(async () => {
  database = await testDatabase({ poolMax: 20 })
  db = database.db
})
afterAll(async () => {
  await database.close()
})

let seq = 0
async function paidOrder(memberId: number, payFen = 9900) {
  const orderNo = `LC${Date.now()}${++seq}`
  const at = clock.now().toISOString()
  await db.execute(sql`insert into orders (order_no, member_id, status, items_fen, pay_fen, paid_at, created_at)
    values (${orderNo}, ${memberId}, 'paid', ${payFen}, ${payFen}, ${at}::timestamptz, ${at}::timestamptz)`)
  await recordMemberEvent(db, {
    memberId,
    type: 'order_paid',
    occurredAt: clock.now(),
    payload: { orderNo, payFen },
    sourceKey: `order_paid:${orderNo}`,
  })
}

async function stageOf(memberId: number) {
  const [row] = await queryRows<{ stage: string; repurchaser_kind: string | null }>(
    db,
    sql`select stage, repurchaser_kind from members where id = ${memberId}`,
  )
  return row!
}

const facts = (over: Partial<MemberFacts>): MemberFacts => ({ ...emptyFacts(), ...over })

describe('stage rules (pure)', () => {
  const now = new Date('2026-06-01T00:00:00Z')
  it('orders the five stages from the facts', () => {
    expect(judgeMember(facts({}), now).stage).toBe('stranger')
    expect(judgeMember(facts({ inboundChats: 1 }), now).stage).toBe('stranger')
    expect(judgeMember(facts({ inboundChats: 2 }), now).stage).toBe('intention')
    expect(judgeMember(facts({ interestEvents: 1 }), now).stage).toBe('intention')
    expect(judgeMember(facts({ paidOrders: 1 }), now).stage).toBe('customer')
    expect(judgeMember(facts({ paidOrders: 1, referrals: 3 }), now).stage).toBe('customer')
    expect(judgeMember(facts({ paidOrders: 2 }), now).stage).toBe('repurchaser')
    expect(judgeMember(facts({ paidOrders: 2, referrals: 1 }), now)).toEqual({
      stage: 'super_user',
      repurchaserKind: 'spontaneous',
    })
  })

  it('labels repurchasers spontaneous, ignitable or non-combustible', () => {
    const recent = new Date(now.getTime() - 10 * DAY)
    const old = new Date(now.getTime() - 200 * DAY)
    expect(judgeMember(facts({ paidOrders: 3, shares: 1, lastPaidAt: old }), now).repurchaserKind).toBe(
      'spontaneous',
    )
    expect(judgeMember(facts({ paidOrders: 3, lastPaidAt: recent }), now).repurchaserKind).toBe('ignitable')
    expect(
      judgeMember(facts({ paidOrders: 3, lastPaidAt: recent, lastComplaintAt: recent }), now).repurchaserKind,
    ).toBe('non_combustible')
    expect(judgeMember(facts({ paidOrders: 3, lastPaidAt: old, lastSeenAt: old }), now).repurchaserKind).toBe(
      'non_combustible',
    )
    expect(judgeMember(facts({ paidOrders: 1 }), now).repurchaserKind).toBeNull()
    expect(repurchaserAdvice.ignitable.action).toContain('社群')
    expect(repurchaserAdvice.non_combustible.action).toContain('好友')
  })
})

describe('the journey from events', () => {
  it('walks a member through all five stages, one event at a time, with its history', async () => {
    const m = await makeMember(db)
    const friend = await makeMember(db)
    await refreshLifecycle(db, m.id, clock.now())
    expect((await stageOf(m.id)).stage).toBe('stranger')

    await recordMemberEvent(db, {
      memberId: m.id,
      type: 'friend_added',
      occurredAt: clock.now(),
      payload: {},
    })
    expect((await stageOf(m.id)).stage).toBe('stranger')
    clock.advance(DAY)
    await recordMemberEvent(db, {
      memberId: m.id,
      type: 'product_view',
      occurredAt: clock.now(),
      payload: { productId: 1, title: '修护面霜' },
    })
    expect((await stageOf(m.id)).stage).toBe('intention')
    clock.advance(DAY)
    await paidOrder(m.id)
    expect((await stageOf(m.id)).stage).toBe('customer')
    clock.advance(20 * DAY)
    await paidOrder(m.id)
    expect(await stageOf(m.id)).toEqual({ stage: 'repurchaser', repurchaser_kind: 'ignitable' })
    clock.advance(DAY)
    await recordMemberEvent(db, {
      memberId: m.id,
      type: 'share',
      occurredAt: clock.now(),
      payload: { target: 'product' },
    })
    expect(await stageOf(m.id)).toEqual({ stage: 'repurchaser', repurchaser_kind: 'spontaneous' })
    clock.advance(DAY)
    await db.execute(sql`insert into referrals (referrer_id, referee_id, attributed_at)
      values (${m.id}, ${friend.id}, ${clock.now().toISOString()}::timestamptz)`)
    await recordMemberEvent(db, {
      memberId: m.id,
      type: 'referral',
      occurredAt: clock.now(),
      payload: { refereeId: friend.id },
    })
    expect((await stageOf(m.id)).stage).toBe('super_user')

    const history = await queryRows<{ from_stage: string | null; to_stage: string }>(
      db,
      sql`select from_stage, to_stage from member_stage_changes where member_id = ${m.id} order by changed_at, id`,
    )
    expect(history.map((h) => `${h.from_stage}>${h.to_stage}`)).toEqual([
      'stranger>intention',
      'intention>customer',
      'customer>repurchaser',
      'repurchaser>super_user',
    ])
    // A repeated event (same source key) changes nothing.
    expect(
      await recordMemberEvent(db, {
        memberId: m.id,
        type: 'share',
        occurredAt: clock.now(),
        sourceKey: `s-${m.id}`,
      }),
    ).not.toBeNull()
    expect(
      await recordMemberEvent(db, {
        memberId: m.id,
        type: 'share',
        occurredAt: clock.now(),
        sourceKey: `s-${m.id}`,
      }),
    ).toBeNull()
  })

  it('labels the three kinds of repurchaser from real events', async () => {
    const spontaneous = await makeMember(db)
    const ignitable = await makeMember(db)
    const unhappy = await makeMember(db)
    for (const m of [spontaneous, ignitable, unhappy]) {
      await paidOrder(m.id)
      await paidOrder(m.id)
    }
    await recordMemberEvent(db, {
      memberId: spontaneous.id,
      type: 'share',
      occurredAt: clock.now(),
      payload: {},
    })
    await recordMemberEvent(db, {
      memberId: unhappy.id,
      type: 'feedback',
      occurredAt: clock.now(),
      payload: { sentiment: 'complaint', text: '快递太慢了' },
    })
    expect((await stageOf(spontaneous.id)).repurchaser_kind).toBe('spontaneous')
    expect((await stageOf(ignitable.id)).repurchaser_kind).toBe('ignitable')
    expect((await stageOf(unhappy.id)).repurchaser_kind).toBe('non_combustible')
    // Half a year of silence: the nightly pass finds the satisfied one no longer active.
    clock.advance(200 * DAY)
    await recomputeLifecycle(db, { memberIds: [ignitable.id] }, clock.now())
    expect((await stageOf(ignitable.id)).repurchaser_kind).toBe('non_combustible')
  })

  it('refuses an event payload that contradicts its type, naming the field', async () => {
    const m = await makeMember(db)
    await expect(
      recordMemberEvent(db, {
        memberId: m.id,
        type: 'feedback',
        occurredAt: clock.now(),
        payload: { sentiment: 'angry' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_event_payload', fields: [{ path: 'payload.sentiment' }] })
  })

  it('the full pass notices a refund that arrived without an event, and the funnel counts it', async () => {
    const m = await makeMember(db)
    await paidOrder(m.id)
    expect((await stageOf(m.id)).stage).toBe('customer')
    await db.execute(
      sql`update orders set status = 'refunded', refunded_fen = pay_fen where member_id = ${m.id}`,
    )
    clock.advance(DAY)
    const pass = await recomputeLifecycle(db, { all: true }, clock.now(), ['orders', 'referrals'])
    expect(pass.stageChanges).toBeGreaterThanOrEqual(1)
    expect((await stageOf(m.id)).stage).not.toBe('customer')

    const funnel = await stageFunnel(db, {
      from: new Date(clock.now().getTime() - 2 * DAY),
      to: clock.now(),
      period: 'day',
    })
    expect(funnel).toHaveLength(3)
    const last = funnel[2]!
    const total = Object.values(last.stages).reduce((a, b) => a + b, 0)
    const [members] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from members where merged_into_id is null and created_at <= ${clock.now().toISOString()}::timestamptz`,
    )
    expect(total).toBe(members!.n)
    expect(last.entered.intention + last.entered.stranger).toBeGreaterThanOrEqual(1)
  })

  it.runIf(onPostgresServer())(
    'records one stage change when two events for a member arrive at once',
    async () => {
      const m = await makeMember(db)
      await refreshLifecycle(db, m.id, clock.now())
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          recordMemberEvent(db, {
            memberId: m.id,
            type: 'product_view',
            occurredAt: clock.now(),
            payload: { productId: i + 1 },
          }),
        ),
      )
      const [n] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from member_stage_changes where member_id = ${m.id} and to_stage = 'intention'`,
      )
      expect(n!.n).toBe(1)
    },
  )
})
