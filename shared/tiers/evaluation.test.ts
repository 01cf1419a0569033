// Tier programmes on the demo brand: a dry run predicts exactly what applying does; a scheduled change
// leaves notices for exactly the members it will move; a paid order upgrades at once; paid renewals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, sql } from 'drizzle-orm'
import { queryRows, type Database } from '../db/client'
import { testDatabase } from '../../test/support/db'
import { makeMember } from '../../test/support/factories'
import { seedDemo } from '../demo/seed'
import { orders } from '../db/schema/orders'
import { memberTiers, tierChangeNotices, tierLadders, tierLevels } from '../db/schema/loyalty'
import { heldLevelIds } from '../catalog/browse'
import { bestMultiplierPct } from '../points/earning'
import {
  applyTierRules,
  dryRunTierRules,
  evaluateTiersAfterPayment,
  runTierEvaluation,
  scheduleTierRules,
  type TierPassReport,
} from './evaluation'
import { quoteRenewal, renewMembership } from './membership'
import { grantPoints, pointsBalance } from '../points/ledger'
import { setMemberLevel } from './ladders'
import { demoTierRules } from '../demo/loyalty'

let database: Database
const now = new Date('2026-06-01T04:00:00Z')
const later = (days: number) => new Date(now.getTime() + days * 86_400_000)

beforeAll(async () => {
  database = await testDatabase()
  await seedDemo(database, { members: 240, now, seed: 0.37 })
})
afterAll(async () => {
  await database.close()
})

const stricterVip = [
  { code: 'upgrade_by_spend', args: { from: 'V1', to: 'V2', minSpendFen: 200_000, window: 'rolling_year' } },
  { code: 'upgrade_by_spend', args: { from: 'V2', to: 'V3', minSpendFen: 400_000, window: 'rolling_year' } },
  { code: 'retain_by_spend', args: { minSpendFen: 150_000, window: 'period' } },
  { code: 'downgrade_at_period_end', args: { to: 'one_level' } },
]

async function holdings(ladder: string) {
  const rows = await queryRows<{ member_id: number; code: string; ends_at: Date | null }>(
    database.db,
    sql`select mt.member_id, lv.code, mt.ends_at from member_tiers mt
        join tier_levels lv on lv.id = mt.level_id join tier_ladders l on l.id = mt.ladder_id
        where l.code = ${ladder}`,
  )
  return new Map(
    rows.map((r) => [
      r.member_id,
      { level: r.code, endsAt: r.ends_at ? new Date(r.ends_at).toISOString() : null },
    ]),
  )
}

/** What changed between two snapshots, per member. */
function diff(before: Awaited<ReturnType<typeof holdings>>, after: Awaited<ReturnType<typeof holdings>>) {
  const out = new Map<number, { level: string | null; endsAt: string | null }>()
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(id)
    const b = after.get(id)
    if (a?.level !== b?.level || a?.endsAt !== b?.endsAt)
      out.set(id, { level: b?.level ?? null, endsAt: b?.endsAt ?? null })
  }
  return out
}

function predicted(report: TierPassReport) {
  return new Map(report.moves.map((m) => [m.memberId, { level: m.to, endsAt: m.endsAt }]))
}

describe('dry run', () => {
  it('predicts exactly what applying a proposed rule set does, and changes nothing itself', async () => {
    const before = await holdings('vip')
    const dry = await dryRunTierRules(database.db, { ladderCode: 'vip', rules: stricterVip, at: now })
    expect(await holdings('vip')).toEqual(before)
    // The demo data gives this rule set something of every kind to do.
    expect(dry.counts.up).toBeGreaterThan(0)
    expect(dry.counts.renew).toBeGreaterThan(0)
    expect(dry.counts.down + dry.counts.lapse).toBeGreaterThan(0)
    expect(dry.counts.unchanged).toBeGreaterThan(0)

    const applied = await applyTierRules(database.db, { ladderCode: 'vip', rules: stricterVip }, now)
    expect(applied.counts).toEqual(dry.counts)
    expect(applied.moves).toEqual(dry.moves)
    // And the database moved exactly as predicted: the same members, to the same levels and dates.
    expect(diff(before, await holdings('vip'))).toEqual(predicted(dry))

    const again = await dryRunTierRules(database.db, { ladderCode: 'vip', at: now })
    expect(again.moves).toEqual([])
  })

  it('the nightly pass on the rules in force does what their dry run says (spend levels, maternity card)', async () => {
    for (const ladder of ['spend', 'maternity']) {
      const at = later(1)
      const before = await holdings(ladder)
      const dry = await dryRunTierRules(database.db, { ladderCode: ladder, at })
      const [report] = await runTierEvaluation(database.db, at, { ladderCode: ladder })
      expect(report!.moves).toEqual(dry.moves)
      expect(diff(before, await holdings(ladder))).toEqual(predicted(dry))
    }
  })
})

describe('scheduled rule change', () => {
  it('records an advance notice for exactly the members it will move, and takes effect on its date', async () => {
    const effectiveAt = later(45)
    const proposed = [
      {
        code: 'upgrade_by_spend',
        args: { from: 'V1', to: 'V2', minSpendFen: 100_000, window: 'rolling_year' },
      },
      { code: 'retain_by_spend', args: { minSpendFen: 600_000, window: 'period' } },
      { code: 'downgrade_at_period_end', args: { to: 'lapse' } },
    ]
    const current = await dryRunTierRules(database.db, { ladderCode: 'vip', at: effectiveAt })
    const next = await dryRunTierRules(database.db, { ladderCode: 'vip', rules: proposed, at: effectiveAt })
    const outcome = (r: TierPassReport) => new Map(r.moves.map((m) => [m.memberId, `${m.kind}:${m.to}`]))
    const cur = outcome(current)
    const nxt = outcome(next)
    const expected = [...new Set([...cur.keys(), ...nxt.keys()])]
      .filter((id) => cur.get(id) !== nxt.get(id))
      .sort((a, b) => a - b)
    expect(expected.length).toBeGreaterThan(0)

    const r = await scheduleTierRules(database.db, { ladderCode: 'vip', rules: proposed, effectiveAt }, now)
    const notices = await database.db
      .select()
      .from(tierChangeNotices)
      .where(eq(tierChangeNotices.ruleSetId, r.ruleSet.id))
    expect(notices.map((n) => n.memberId).sort((a, b) => a - b)).toEqual(expected)
    expect(r.notices).toBe(expected.length)
    const sample = notices.find((n) => n.newOutcome === 'lapse')!
    expect(sample.message).toContain('2026-07-16')
    expect(sample.message).toContain('到期失效')

    // Before its date the old rules still decide; on its date the new ones do, as the notices said.
    const [beforeDate] = await runTierEvaluation(database.db, later(10), { ladderCode: 'vip' })
    expect(beforeDate!.ruleSetId).not.toBe(r.ruleSet.id)
    const before = await holdings('vip')
    const dryOnDate = await dryRunTierRules(database.db, { ladderCode: 'vip', at: effectiveAt })
    const [onDate] = await runTierEvaluation(database.db, effectiveAt, { ladderCode: 'vip' })
    expect(onDate!.ruleSetId).toBe(r.ruleSet.id)
    expect(diff(before, await holdings('vip'))).toEqual(predicted(dryOnDate))
  })

  it('refuses a date in the past', async () => {
    await expect(
      scheduleTierRules(database.db, { ladderCode: 'vip', rules: stricterVip, effectiveAt: later(-1) }, now),
    ).rejects.toMatchObject({ code: 'effective_date_past', status: 400 })
  })
})

describe('after a paid order', () => {
  it('a purchase that crosses a threshold moves the member up at once, and only once', async () => {
    const m = await makeMember(database.db)
    const paidAt = later(50)
    const [order] = await database.db
      .insert(orders)
      .values({
        orderNo: `T${m.id}`,
        memberId: m.id,
        status: 'paid',
        itemsFen: 350_000,
        payFen: 350_000,
        paidAt,
        createdAt: paidAt,
      })
      .returning()
    const moves = await evaluateTiersAfterPayment(database.db, m.id, paidAt)
    expect(moves).toEqual([
      expect.objectContaining({ memberId: m.id, kind: 'join', to: 'gold', ruleCode: 'level_by_spend' }),
    ])
    expect(await evaluateTiersAfterPayment(database.db, m.id, paidAt)).toEqual([])
    const [held] = await database.db
      .select({ endsAt: memberTiers.endsAt })
      .from(memberTiers)
      .innerJoin(tierLadders, eq(tierLadders.id, memberTiers.ladderId))
      .where(and(eq(memberTiers.memberId, m.id), eq(tierLadders.code, 'spend')))
    expect(held!.endsAt).toEqual(new Date('2027-07-21T04:00:00Z'))
    expect(order!.id).toBeGreaterThan(0)
  })
})

describe('paid membership', () => {
  it('renews V1 paying ¥50 of the ¥99 fee in points (5,000 points) and ¥49 by a membership order', async () => {
    const m = await makeMember(database.db)
    const at = later(60)
    await setMemberLevel(
      database.db,
      { memberId: m.id, ladderCode: 'vip', levelCode: 'V1', reason: '测试', endsAt: later(70) },
      at,
    )
    await grantPoints(database.db, {
      memberId: m.id,
      amount: 6000,
      sourceKey: `gift:${m.id}`,
      reason: '测试',
      at,
      expiresAt: null,
    })
    // The brand's own rules offer points for up to ¥50 of the fee (a later test rule set did not).
    await applyTierRules(database.db, { ladderCode: 'vip', rules: demoTierRules.vip }, at)
    const quote = await quoteRenewal(database.db, m.id, 'vip', 'V1', at)
    expect(quote).toMatchObject({ feeFen: 9900, renewing: true, cashFenWithPoints: 4900, balance: 6000 })
    expect(quote.points).toMatchObject({ pointsFen: 5000, pointsNeeded: 5000 })

    const input = {
      memberId: m.id,
      ladderCode: 'vip',
      levelCode: 'V1',
      requestId: `renew-${m.id}`,
      usePoints: true,
    }
    await expect(renewMembership(database.db, input, at)).rejects.toMatchObject({
      code: 'payment_required',
      status: 402,
    })
    expect(await pointsBalance(database.db, m.id, at)).toBe(6000)

    await database.db.insert(orders).values({
      orderNo: `MEM${m.id}`,
      memberId: m.id,
      kind: 'membership',
      status: 'paid',
      itemsFen: 4900,
      payFen: 4900,
      paidAt: at,
    })
    const r = await renewMembership(database.db, { ...input, orderNo: `MEM${m.id}` }, at)
    expect(r.renewal).toMatchObject({ cashFen: 4900, pointsSpent: 5000 })
    expect(r.renewal.startsAt).toEqual(later(70))
    expect(await pointsBalance(database.db, m.id, at)).toBe(1000)
    // Renewed early, the member goes on holding V1 without a gap: member prices and the multiplier
    // read the same holding (the renewed period does not move the level's start into the future).
    const [v1] = await database.db
      .select({ id: tierLevels.id, pct: tierLevels.pointsMultiplierPct })
      .from(tierLevels)
      .innerJoin(tierLadders, eq(tierLadders.id, tierLevels.ladderId))
      .where(and(eq(tierLadders.code, 'vip'), eq(tierLevels.code, 'V1')))
    expect(await heldLevelIds(database.db, m.id, at)).toContain(v1!.id)
    expect(await bestMultiplierPct(database.db, m.id, at)).toBeGreaterThanOrEqual(v1!.pct)
    const [holding] = await database.db
      .select()
      .from(memberTiers)
      .where(and(eq(memberTiers.memberId, m.id), eq(memberTiers.levelId, v1!.id)))
    expect(holding!.startsAt.getTime()).toBeLessThanOrEqual(at.getTime())
    expect(holding!.endsAt).toEqual(r.renewal.endsAt)
    expect((await renewMembership(database.db, { ...input, orderNo: `MEM${m.id}` }, at)).duplicate).toBe(true)
    await expect(
      renewMembership(
        database.db,
        { ...input, requestId: `again-${m.id}`, usePoints: false, orderNo: `MEM${m.id}` },
        at,
      ),
    ).rejects.toMatchObject({ code: 'order_not_paid' })
    expect(await pointsBalance(database.db, m.id, at)).toBe(1000)
  })
})
