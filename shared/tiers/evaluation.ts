// Tier programmes at work: the rules in force for a ladder, the evaluation pass (nightly and after each
// paid order), the dry run of a proposed rule set, applying or scheduling a rule set, and the advance
// notices a scheduled change leaves for the members it will move.
import { and, asc, desc, eq, gt, isNull, lte, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { shanghaiDate } from '../clock'
import { DomainError, notFound } from '../errors'
import { recordMemberEvent } from '../members/events'
import { members } from '../db/schema/members'
import {
  memberTiers,
  tierChangeNotices,
  tierChanges,
  tierLadders,
  tierLevels,
  tierRuleSets,
  type TierChangeKind,
  type TierLadder,
  type TierRuleSet,
} from '../db/schema/loyalty'
import { decideTier, parseTierRules, type LevelRef, type ParsedRule, type TierDecision } from './rules'
import { loadTierFacts, type MemberTierFacts } from './facts'

export interface LadderWithLevels {
  ladder: TierLadder
  levels: LevelRef[]
}

export async function loadLadder(db: Db, code: string): Promise<LadderWithLevels> {
  const [ladder] = await db.select().from(tierLadders).where(eq(tierLadders.code, code))
  if (!ladder) throw notFound('会员等级体系', 'ladder_not_found')
  return { ladder, levels: await levelsOf(db, ladder.id) }
}

async function levelsOf(db: Db, ladderId: number): Promise<LevelRef[]> {
  return db
    .select({
      id: tierLevels.id,
      code: tierLevels.code,
      name: tierLevels.name,
      rank: tierLevels.rank,
      threshold: tierLevels.threshold,
      annualFeeFen: tierLevels.annualFeeFen,
    })
    .from(tierLevels)
    .where(eq(tierLevels.ladderId, ladderId))
    .orderBy(asc(tierLevels.rank))
}

/** The rule set in force for a ladder at `at`: the latest one whose date has come. */
export async function ruleSetInForce(db: Db, ladderId: number, at: Date): Promise<TierRuleSet | null> {
  const [row] = await db
    .select()
    .from(tierRuleSets)
    .where(
      and(
        eq(tierRuleSets.ladderId, ladderId),
        lte(tierRuleSets.effectiveAt, at),
        isNull(tierRuleSets.cancelledAt),
      ),
    )
    .orderBy(desc(tierRuleSets.effectiveAt), desc(tierRuleSets.id))
    .limit(1)
  return row ?? null
}

export interface TierMove {
  memberId: number
  memberNo: string
  name: string | null
  kind: TierChangeKind
  from: string | null
  to: string | null
  ruleCode: string | null
  reason: string
  endsAt: string | null
}

export interface TierPassReport {
  ladder: string
  at: string
  ruleSetId: number | null
  counts: Record<Exclude<TierChangeKind, 'manual'>, number> & { unchanged: number; skipped: number }
  moves: TierMove[]
}

interface Evaluated {
  memberId: number
  state: MemberTierFacts
  decision: TierDecision
}

/** Decide (without writing) what `rules` do to every member they can touch at `at`. */
async function decideAll(
  db: Db,
  lad: LadderWithLevels,
  rules: ParsedRule[],
  at: Date,
  memberIds?: number[],
): Promise<Evaluated[]> {
  const facts = await loadTierFacts(db, lad.ladder.id, rules, at, memberIds)
  const out: Evaluated[] = []
  for (const [memberId, state] of facts) {
    const decision = decideTier(rules, {
      at,
      levels: lad.levels,
      periodMonths: lad.ladder.periodMonths,
      holding: state.holding,
      facts: state.facts,
    })
    out.push({ memberId, state, decision })
  }
  return out
}

function emptyCounts(): TierPassReport['counts'] {
  return { join: 0, up: 0, renew: 0, down: 0, lapse: 0, unchanged: 0, skipped: 0 }
}

async function describeMoves(db: Db, lad: LadderWithLevels, list: Evaluated[]): Promise<TierMove[]> {
  if (list.length === 0) return []
  const ids = list.map((e) => e.memberId)
  const people = await db
    .select({ id: members.id, memberNo: members.memberNo, name: members.name })
    .from(members)
    .where(sql`${members.id} = any(${`{${ids.join(',')}}`}::bigint[])`)
  const who = new Map(people.map((p) => [p.id, p]))
  const levelName = (rank: number) => lad.levels.find((l) => l.rank === rank)?.code ?? null
  return list.map((e) => ({
    memberId: e.memberId,
    memberNo: who.get(e.memberId)?.memberNo ?? '',
    name: who.get(e.memberId)?.name ?? null,
    kind: e.decision.kind as TierChangeKind,
    from: e.decision.fromRank ? levelName(e.decision.fromRank) : null,
    to: e.decision.toRank ? levelName(e.decision.toRank) : null,
    ruleCode: e.decision.ruleCode,
    reason: e.decision.reason,
    endsAt: e.decision.endsAt?.toISOString() ?? null,
  }))
}

/**
 * Dry run: what a proposed rule set (or the one in force) would do at `at` — who moves up, stays, moves
 * down or lapses, counts and lists — changing nothing.
 */
export async function dryRunTierRules(
  db: Db,
  input: { ladderCode: string; rules?: unknown; at: Date },
): Promise<TierPassReport> {
  const lad = await loadLadder(db, input.ladderCode)
  let ruleSetId: number | null = null
  let rules: ParsedRule[]
  if (input.rules !== undefined) rules = parseTierRules(input.rules, lad.levels)
  else {
    const inForce = await ruleSetInForce(db, lad.ladder.id, input.at)
    if (!inForce) throw new DomainError('no_tier_rules', '该等级体系尚未设置规则', 409)
    ruleSetId = inForce.id
    rules = parseTierRules(inForce.rules, lad.levels)
  }
  const evaluated = await decideAll(db, lad, rules, input.at)
  const counts = emptyCounts()
  const moving = evaluated.filter((e) => e.decision.kind !== 'none')
  for (const e of evaluated) {
    if (e.decision.kind === 'none') {
      if (e.state.holding) counts.unchanged++
    } else counts[e.decision.kind as keyof typeof counts]++
  }
  return {
    ladder: lad.ladder.code,
    at: input.at.toISOString(),
    ruleSetId,
    counts,
    moves: await describeMoves(db, lad, moving),
  }
}

const sameHolding = (
  a: MemberTierFacts['holding'],
  b: { levelId: number; endsAt: Date | null } | undefined,
) =>
  (!a && !b) ||
  (!!a && !!b && a.levelId === b.levelId && (a.endsAt?.getTime() ?? null) === (b.endsAt?.getTime() ?? null))

/**
 * Write one decision, unless the member's holding changed since it was evaluated (then it is skipped and
 * the next pass sees the new state). Serialised per member and ladder.
 */
async function applyDecision(
  db: Db,
  lad: LadderWithLevels,
  ruleSetId: number | null,
  e: Evaluated,
  at: Date,
): Promise<boolean> {
  const d = e.decision
  const levelId = (rank: number) => lad.levels.find((l) => l.rank === rank)?.id ?? null
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`tier:${e.memberId}:${lad.ladder.id}`}, 0))`,
    )
    const [now] = await tx
      .select({ levelId: memberTiers.levelId, endsAt: memberTiers.endsAt })
      .from(memberTiers)
      .where(and(eq(memberTiers.memberId, e.memberId), eq(memberTiers.ladderId, lad.ladder.id)))
    if (!sameHolding(e.state.holding, now)) return false
    const to = levelId(d.toRank)
    if (d.kind === 'lapse') {
      await tx
        .delete(memberTiers)
        .where(and(eq(memberTiers.memberId, e.memberId), eq(memberTiers.ladderId, lad.ladder.id)))
    } else if (d.kind === 'join') {
      await tx.insert(memberTiers).values({
        memberId: e.memberId,
        ladderId: lad.ladder.id,
        levelId: to!,
        startsAt: d.startsAt!,
        endsAt: d.endsAt,
        source: `rule:${d.ruleCode}`,
      })
    } else {
      await tx
        .update(memberTiers)
        .set({ levelId: to!, startsAt: d.startsAt!, endsAt: d.endsAt, source: `rule:${d.ruleCode}` })
        .where(and(eq(memberTiers.memberId, e.memberId), eq(memberTiers.ladderId, lad.ladder.id)))
    }
    const [change] = await tx
      .insert(tierChanges)
      .values({
        memberId: e.memberId,
        ladderId: lad.ladder.id,
        kind: d.kind as TierChangeKind,
        fromLevelId: d.fromRank ? levelId(d.fromRank) : null,
        toLevelId: to,
        ruleCode: d.ruleCode,
        ruleSetId,
        reason: d.reason,
        endsAt: d.endsAt,
        at,
      })
      .returning({ id: tierChanges.id })
    const name = (rank: number) => lad.levels.find((l) => l.rank === rank)?.name ?? null
    await recordMemberEvent(tx, {
      memberId: e.memberId,
      type: 'tier_changed',
      occurredAt: at,
      sourceKey: `tier_change:${change!.id}`,
      payload: {
        ladder: lad.ladder.code,
        kind: d.kind,
        from: name(d.fromRank),
        to: name(d.toRank),
        reason: d.reason,
      },
    })
    return true
  })
}

async function runPass(
  db: Db,
  lad: LadderWithLevels,
  ruleSet: { id: number; rules: unknown },
  at: Date,
  memberIds?: number[],
): Promise<TierPassReport> {
  const rules = parseTierRules(ruleSet.rules, lad.levels)
  const evaluated = await decideAll(db, lad, rules, at, memberIds)
  const counts = emptyCounts()
  const applied: Evaluated[] = []
  for (const e of evaluated) {
    if (e.decision.kind === 'none') {
      if (e.state.holding) counts.unchanged++
      continue
    }
    if (await applyDecision(db, lad, ruleSet.id, e, at)) {
      counts[e.decision.kind as keyof typeof counts]++
      applied.push(e)
    } else counts.skipped++
  }
  return {
    ladder: lad.ladder.code,
    at: at.toISOString(),
    ruleSetId: ruleSet.id,
    counts,
    moves: await describeMoves(db, lad, applied),
  }
}

/** The evaluation pass: every ladder with rules in force (or one ladder, or some members), applied. */
export async function runTierEvaluation(
  db: Db,
  at: Date,
  options: { ladderCode?: string; memberIds?: number[] } = {},
): Promise<TierPassReport[]> {
  const ladders = options.ladderCode
    ? [(await loadLadder(db, options.ladderCode)).ladder]
    : await db.select().from(tierLadders).orderBy(asc(tierLadders.id))
  const reports: TierPassReport[] = []
  for (const ladder of ladders) {
    const ruleSet = await ruleSetInForce(db, ladder.id, at)
    if (!ruleSet) continue
    const lad = { ladder, levels: await levelsOf(db, ladder.id) }
    reports.push(await runPass(db, lad, ruleSet, at, options.memberIds))
  }
  return reports
}

/**
 * For the store's order-paid flow: re-evaluate one member on every ladder right after a payment, so a
 * purchase that crosses a threshold upgrades at once. Idempotent (a second call decides nothing).
 */
export async function evaluateTiersAfterPayment(db: Db, memberId: number, at: Date): Promise<TierMove[]> {
  const reports = await runTierEvaluation(db, at, { memberIds: [memberId] })
  return reports.flatMap((r) => r.moves)
}

/** Put a rule set in force now and apply it at once; the report is what the dry run predicted. */
export async function applyTierRules(
  db: Db,
  input: { ladderCode: string; rules: unknown; operatorId?: number; note?: string },
  at: Date,
): Promise<TierPassReport> {
  const lad = await loadLadder(db, input.ladderCode)
  parseTierRules(input.rules, lad.levels)
  const [ruleSet] = await db
    .insert(tierRuleSets)
    .values({
      ladderId: lad.ladder.id,
      rules: input.rules as TierRuleSet['rules'],
      effectiveAt: at,
      operatorId: input.operatorId,
      note: input.note,
    })
    .returning()
  return runPass(db, lad, ruleSet!, at)
}

const outcomeText: Record<TierDecision['kind'], string> = {
  none: '保持不变',
  join: '获得',
  up: '升级',
  renew: '续期保级',
  down: '降级',
  lapse: '到期失效',
  manual: '人工调整',
}

/**
 * Schedule a rule set for a future date. The members whose next evaluation it would change (compared
 * with the rules in force, both judged at the effective date on what is known now) each get an advance
 * notice recorded, for the campaign mechanism to deliver.
 */
export async function scheduleTierRules(
  db: Db,
  input: { ladderCode: string; rules: unknown; effectiveAt: Date; operatorId?: number; note?: string },
  now: Date,
): Promise<{ ruleSet: TierRuleSet; notices: number; affected: TierPassReport['counts'] }> {
  if (input.effectiveAt <= now)
    throw new DomainError('effective_date_past', '生效时间必须晚于当前时间', 400, [
      { path: 'effectiveAt', message: '生效时间必须晚于当前时间' },
    ])
  const lad = await loadLadder(db, input.ladderCode)
  const proposed = parseTierRules(input.rules, lad.levels)
  const inForce = await ruleSetInForce(db, lad.ladder.id, input.effectiveAt)
  const current = inForce ? parseTierRules(inForce.rules, lad.levels) : []
  const after = await decideAll(db, lad, proposed, input.effectiveAt)
  const before = new Map(
    current.length
      ? (await decideAll(db, lad, current, input.effectiveAt)).map((e) => [e.memberId, e.decision])
      : [],
  )
  const levelName = (rank: number) => lad.levels.find((l) => l.rank === rank)?.name ?? '无'
  const levelId = (rank: number) => lad.levels.find((l) => l.rank === rank)?.id ?? null
  const day = shanghaiDate(input.effectiveAt)
  const affected = emptyCounts()
  return db.transaction(async (tx) => {
    const [ruleSet] = await tx
      .insert(tierRuleSets)
      .values({
        ladderId: lad.ladder.id,
        rules: input.rules as TierRuleSet['rules'],
        effectiveAt: input.effectiveAt,
        operatorId: input.operatorId,
        note: input.note,
      })
      .returning()
    const notices = []
    for (const e of after) {
      const was = before.get(e.memberId) ?? { kind: 'none' as const, toRank: e.decision.fromRank }
      if (was.kind === e.decision.kind && was.toRank === e.decision.toRank) continue
      if (e.decision.kind === 'none' && !e.state.holding) continue
      affected[e.decision.kind === 'none' ? 'unchanged' : (e.decision.kind as keyof typeof affected)]++
      const from = e.decision.fromRank
      notices.push({
        ruleSetId: ruleSet!.id,
        memberId: e.memberId,
        ladderId: lad.ladder.id,
        currentOutcome: was.kind,
        newOutcome: e.decision.kind,
        fromLevelId: from ? levelId(from) : null,
        predictedLevelId: e.decision.toRank ? levelId(e.decision.toRank) : null,
        effectiveAt: input.effectiveAt,
        message:
          `【会员规则调整通知】${lad.ladder.name}规则将于 ${day} 调整。按新规则，您的等级将` +
          (e.decision.kind === 'none'
            ? `保持为「${levelName(from)}」`
            : `${outcomeText[e.decision.kind]}${e.decision.toRank ? `为「${levelName(e.decision.toRank)}」` : ''}`) +
          `（原规则下为：${outcomeText[was.kind]}）。`,
      })
    }
    for (let i = 0; i < notices.length; i += 500)
      await tx.insert(tierChangeNotices).values(notices.slice(i, i + 500))
    return { ruleSet: ruleSet!, notices: notices.length, affected }
  })
}

/** Withdraw a scheduled rule set before its date (its notices stay, marked by the cancellation). */
export async function cancelScheduledRules(db: Db, ruleSetId: number, now: Date): Promise<TierRuleSet> {
  const [row] = await db
    .update(tierRuleSets)
    .set({ cancelledAt: now })
    .where(
      and(
        eq(tierRuleSets.id, ruleSetId),
        gt(tierRuleSets.effectiveAt, now),
        isNull(tierRuleSets.cancelledAt),
      ),
    )
    .returning()
  if (!row) throw new DomainError('rule_set_not_scheduled', '该规则已生效或不存在，无法撤销', 409)
  return row
}
