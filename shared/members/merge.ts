// Merging two records of one person (晏涛 in the store is 三寿 on WeChat) and undoing it. A merge
// re-points every row listed in references.ts from the absorbed member to the survivor in one
// transaction — generically, by each table's primary key, so a table added later is covered by adding
// it to the list — and settles the rows that may exist only once per member. Everything it changes is
// recorded in `member_merges.moved`, so an undo puts every row back exactly.
import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { memberReferences, type MemberReference } from './references'
import { refreshMemberStats } from './stats'
import { recomputeStages } from './lifecycle'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
type Row = Record<string, unknown>

export interface MergeInput {
  survivorId: number
  mergedId: number
  reason: string
  operatorId?: number | null
  at: Date
}

/** What a merge changed, kept in `member_merges.moved`. Keys are primary keys joined with U+001F. */
export interface MergeRecord {
  version: 1
  /** Both member rows as they were before the merge. */
  members: { survivor: Row; merged: Row }
  /** Rows whose member column was re-pointed from the absorbed member to the survivor. */
  repointed: { table: string; column: string; keys: string[] }[]
  /** Rows removed because the survivor could hold only one (a tier per ladder, a tag, a referee row). */
  deleted: { table: string; rows: Row[] }[]
  /** Member columns cleared because they would point a member at themselves (an order's referrer). */
  cleared: { table: string; column: string; rows: { key: string; value: number }[] }[]
  /** Members earlier merged into the absorbed member, now pointing at the survivor. */
  chained: number[]
  /** Stage history rows the merge wrote for the survivor. */
  stageChangeIds: number[]
  /** The survivor's points account as it was (null: it had none). */
  survivorPointsAccount: Row | null
}

export interface MergeResult {
  mergeId: number
  survivorId: number
  mergedId: number
  /** Rows re-pointed per `table.column`. */
  repointed: Record<string, number>
  deleted: Record<string, number>
}

const ident = (name: string) => sql.identifier(name)

/** Primary key columns of the given tables, from the live catalog. */
async function primaryKeys(tx: Tx, tables: string[]): Promise<Map<string, string[]>> {
  const rows = await queryRows<{ table: string; cols: string[] }>(
    tx,
    sql`select c.relname as table,
          array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum)) as cols
        from pg_index i
        join pg_class c on c.oid = i.indrelid
        join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey::int2[])
        where i.indisprimary and c.relnamespace = 'public'::regnamespace
          and c.relname in (select jsonb_array_elements_text(${JSON.stringify(tables)}::jsonb))
        group by c.relname`,
  )
  const map = new Map(rows.map((r) => [r.table, r.cols]))
  for (const t of tables) if (!map.has(t)) throw new Error(`table ${t} has no primary key: cannot merge it`)
  return map
}

/** The primary key of a row as one text value (for the record and for finding the row again). */
function keyExpr(cols: string[], alias?: string): SQL {
  const parts = cols.map((c) => (alias ? sql`${ident(alias)}.${ident(c)}::text` : sql`${ident(c)}::text`))
  return sql`concat_ws(chr(31), ${sql.join(parts, sql`, `)})`
}

const jsonList = (values: unknown[]) => sql`${JSON.stringify(values)}::jsonb`

async function deleteRecorded(tx: Tx, table: string, where: SQL): Promise<Row[]> {
  const rows = await queryRows<{ row: Row }>(
    tx,
    sql`delete from ${ident(table)} t where ${where} returning row_to_json(t.*) as row`,
  )
  return rows.map((r) => r.row)
}

async function lockPair(tx: Tx, a: number, b: number): Promise<Map<number, Row>> {
  const rows = await queryRows<{ id: number; row: Row }>(
    tx,
    sql`select m.id, row_to_json(m.*) as row from members m where m.id in (${a}, ${b}) order by m.id for update`,
  )
  return new Map(rows.map((r) => [Number(r.id), r.row]))
}

/**
 * Merge `mergedId` into `survivorId`. The absorbed member keeps its row (marked merged, so old
 * sessions follow it to the survivor) but no identity or reference. Points: the ledger entries move
 * and the survivor's balance becomes the sum of its entries.
 */
export async function mergeMembers(db: Db, input: MergeInput): Promise<MergeResult> {
  const { survivorId: s, mergedId: m, at } = input
  if (s === m) throw new DomainError('merge_same_member', '不能把会员合并到自己', 400)
  if (!input.reason.trim())
    throw new DomainError('merge_reason_required', '请填写合并原因', 400, [
      { path: 'reason', message: '请填写合并原因' },
    ])
  return db.transaction(async (tx) => {
    const before = await lockPair(tx, s, m)
    if (!before.has(s) || !before.has(m)) throw notFound('会员', 'member_not_found')
    if (before.get(s)!.merged_into_id != null || before.get(m)!.merged_into_id != null)
      throw new DomainError('member_already_merged', '会员已被合并，不能再次合并', 409)

    const refs = memberReferences
    const pks = await primaryKeys(tx, [...new Set(refs.map((r) => r.table))])
    const record: MergeRecord = {
      version: 1,
      members: { survivor: before.get(s)!, merged: before.get(m)! },
      repointed: [],
      deleted: [],
      cleared: [],
      chained: [],
      stageChangeIds: [],
      survivorPointsAccount: null,
    }
    const addDeleted = (table: string, rows: Row[]) => {
      if (rows.length) record.deleted.push({ table, rows })
    }

    // A referral between the two disappears; a member is referred once, so the survivor's own stays.
    addDeleted(
      'referrals',
      await deleteRecorded(
        tx,
        'referrals',
        sql`(t.referrer_id = ${s} and t.referee_id = ${m}) or (t.referrer_id = ${m} and t.referee_id = ${s})
          or (t.referee_id = ${m} and exists (select 1 from referrals o where o.referee_id = ${s}))`,
      ),
    )
    // Tags: the survivor's tag wins a clash, and in a single-valued dimension the survivor's value.
    addDeleted(
      'member_tags',
      await deleteRecorded(
        tx,
        'member_tags',
        sql`t.member_id = ${m} and exists (
          select 1 from member_tags st
          join tags stt on stt.id = st.tag_id
          join tags mt on mt.id = t.tag_id
          join tag_dimensions d on d.id = mt.dimension_id
          where st.member_id = ${s} and (st.tag_id = t.tag_id or (not d.multiple and stt.dimension_id = mt.dimension_id)))`,
      ),
    )
    // Tiers: one level per ladder; the higher-ranked one is kept (the survivor's on a tie).
    addDeleted(
      'member_tiers',
      await deleteRecorded(
        tx,
        'member_tiers',
        sql`t.member_id in (${s}, ${m}) and exists (
          select 1 from member_tiers o
          join tier_levels ol on ol.id = o.level_id
          join tier_levels tl on tl.id = t.level_id
          where o.ladder_id = t.ladder_id and o.member_id in (${s}, ${m}) and o.member_id <> t.member_id
            and (ol.rank > tl.rank or (ol.rank = tl.rank and t.member_id = ${m})))`,
      ),
    )
    // An order one of them placed on the other's recommendation would credit the survivor for themself.
    const cleared = await queryRows<{ key: string; value: number }>(
      tx,
      sql`update orders o set referrer_id = null
          from orders old
          where old.id = o.id and ((o.member_id = ${s} and o.referrer_id = ${m}) or (o.member_id = ${m} and o.referrer_id = ${s}))
          returning o.id::text as key, old.referrer_id as value`,
    )
    if (cleared.length) record.cleared.push({ table: 'orders', column: 'referrer_id', rows: cleared })

    // Points: the absorbed account goes; its entries move below and the survivor's balance is re-summed.
    await tx.execute(
      sql`select 1 from points_accounts where member_id in (${s}, ${m}) order by member_id for update`,
    )
    const [account] = await queryRows<{ row: Row }>(
      tx,
      sql`select row_to_json(p.*) as row from points_accounts p where p.member_id = ${s}`,
    )
    record.survivorPointsAccount = account?.row ?? null
    addDeleted('points_accounts', await deleteRecorded(tx, 'points_accounts', sql`t.member_id = ${m}`))

    const repointable: MemberReference[] = []
    for (const ref of refs) {
      if (ref.derived) {
        await tx.execute(sql`delete from ${ident(ref.table)} where ${ident(ref.column)} = ${m}`)
        continue
      }
      if (ref.table === 'points_accounts') continue
      if (ref.uniquePerMember) {
        // One per member (a share code): the survivor's stays; the absorbed one's goes, kept for undo.
        addDeleted(
          ref.table,
          await deleteRecorded(
            tx,
            ref.table,
            sql`t.${ident(ref.column)} = ${m} and exists (select 1 from ${ident(ref.table)} o where o.${ident(ref.column)} = ${s})`,
          ),
        )
      }
      repointable.push(ref)
    }
    for (const ref of repointable) {
      const keys = await queryRows<{ key: string }>(
        tx,
        sql`update ${ident(ref.table)} set ${ident(ref.column)} = ${s} where ${ident(ref.column)} = ${m}
            returning ${keyExpr(pks.get(ref.table)!)} as key`,
      )
      if (keys.length)
        record.repointed.push({ table: ref.table, column: ref.column, keys: keys.map((k) => k.key) })
    }

    await resumPoints(tx, [s], at, false)

    const chained = await queryRows<{ id: number }>(
      tx,
      sql`update members set merged_into_id = ${s} where merged_into_id = ${m} returning id`,
    )
    record.chained = chained.map((r) => Number(r.id))
    // The survivor takes what it lacked from the absorbed profile; the absorbed member is marked merged.
    await tx.execute(sql`
      update members sv set
        name = coalesce(sv.name, mg.name), nickname = coalesce(sv.nickname, mg.nickname),
        gender = case when sv.gender = 'unknown' then mg.gender else sv.gender end,
        birthday = coalesce(sv.birthday, mg.birthday),
        birthday_calendar = case when sv.birthday is null then mg.birthday_calendar else sv.birthday_calendar end,
        city = coalesce(sv.city, mg.city), occupation = coalesce(sv.occupation, mg.occupation),
        avatar_url = coalesce(sv.avatar_url, mg.avatar_url),
        advisor_account_id = coalesce(sv.advisor_account_id, mg.advisor_account_id),
        opted_out_at = coalesce(sv.opted_out_at, mg.opted_out_at),
        last_seen_at = greatest(sv.last_seen_at, mg.last_seen_at),
        created_at = least(sv.created_at, mg.created_at),
        updated_at = ${at.toISOString()}::timestamptz
      from members mg where sv.id = ${s} and mg.id = ${m}`)
    await tx.execute(
      sql`update members set merged_into_id = ${s}, updated_at = ${at.toISOString()}::timestamptz where id = ${m}`,
    )

    await refreshMemberStats(tx, { memberIds: [s] }, at)
    record.stageChangeIds = (await recomputeStages(tx, { memberIds: [s] }, at)).stageChangeIds

    const [merge] = await queryRows<{ id: number }>(
      tx,
      sql`insert into member_merges (survivor_id, merged_id, reason, operator_id, moved, created_at)
          values (${s}, ${m}, ${input.reason}, ${input.operatorId ?? null}, ${JSON.stringify(record)}::jsonb,
            ${at.toISOString()}::timestamptz)
          returning id`,
    )
    return {
      mergeId: Number(merge!.id),
      survivorId: s,
      mergedId: m,
      repointed: Object.fromEntries(record.repointed.map((r) => [`${r.table}.${r.column}`, r.keys.length])),
      deleted: Object.fromEntries(record.deleted.map((d) => [d.table, d.rows.length])),
    }
  })
}

/**
 * Set each member's points balance to the sum of its ledger. Refused when the ledger would no longer
 * add up: a negative sum, or open grants that do not cover the balance (points moved by the merge were
 * spent in the meantime).
 */
async function resumPoints(tx: Tx, memberIds: number[], at: Date, strict: boolean): Promise<void> {
  for (const id of memberIds) {
    const [sum] = await queryRows<{ balance: number; open: number; entries: number }>(
      tx,
      sql`select coalesce(sum(amount), 0)::int as balance,
            coalesce(sum(remaining) filter (where amount > 0), 0)::int as open, count(*)::int as entries
          from points_entries where member_id = ${id}`,
    )
    if (sum!.balance < 0 || (strict && sum!.balance !== sum!.open))
      throw new DomainError('points_changed_since_merge', '合并后积分已被使用，无法撤销合并', 409)
    await tx.execute(sql`
      insert into points_accounts (member_id, balance, updated_at)
      values (${id}, ${sum!.balance}, ${at.toISOString()}::timestamptz)
      on conflict (member_id) do update set balance = excluded.balance, updated_at = excluded.updated_at
      where points_accounts.balance is distinct from excluded.balance`)
  }
}

/** Undo a merge: every recorded row goes back where it was and both members are as before. */
export async function undoMerge(
  db: Db,
  input: { mergeId: number; operatorId?: number | null; at: Date },
): Promise<{ survivorId: number; mergedId: number }> {
  try {
    return await db.transaction(async (tx) => {
      const [merge] = await queryRows<{
        survivor_id: number
        merged_id: number
        moved: MergeRecord
        undone_at: unknown
      }>(
        tx,
        sql`select survivor_id, merged_id, moved, undone_at from member_merges where id = ${input.mergeId} for update`,
      )
      if (!merge) throw notFound('合并记录', 'merge_not_found')
      if (merge.undone_at) throw new DomainError('merge_already_undone', '该合并已撤销', 409)
      const s = Number(merge.survivor_id)
      const m = Number(merge.merged_id)
      const rec = merge.moved
      const now = await lockPair(tx, s, m)
      if (now.get(s)?.merged_into_id != null)
        throw new DomainError('survivor_merged', '保留的会员之后又被合并了，请先撤销那次合并', 409)
      if (Number(now.get(m)?.merged_into_id) !== s)
        throw new DomainError('merge_state_changed', '会员状态已变化，无法撤销合并', 409)

      if (rec.stageChangeIds.length)
        await tx.execute(
          sql`delete from member_stage_changes where id in (select (jsonb_array_elements_text(${jsonList(rec.stageChangeIds)}))::bigint)`,
        )
      const tables = [...new Set([...rec.repointed.map((r) => r.table), ...rec.cleared.map((c) => c.table)])]
      const pks = tables.length ? await primaryKeys(tx, tables) : new Map<string, string[]>()
      for (const r of rec.repointed) {
        await tx.execute(sql`
          update ${ident(r.table)} set ${ident(r.column)} = ${m}
          where ${ident(r.column)} = ${s} and ${keyExpr(pks.get(r.table)!)} in (select jsonb_array_elements_text(${jsonList(r.keys)}))`)
      }
      for (const c of rec.cleared) {
        await tx.execute(sql`
          update ${ident(c.table)} t set ${ident(c.column)} = v.value
          from jsonb_to_recordset(${jsonList(c.rows)}) as v(key text, value bigint)
          where ${keyExpr(pks.get(c.table)!, 't')} = v.key and t.${ident(c.column)} is null`)
      }
      for (const ref of memberReferences.filter((r) => r.derived))
        await tx.execute(sql`delete from ${ident(ref.table)} where ${ident(ref.column)} = ${s}`)
      for (const d of rec.deleted) {
        await tx.execute(
          sql`insert into ${ident(d.table)} select * from jsonb_populate_recordset(null::${ident(d.table)}, ${jsonList(d.rows)})`,
        )
      }
      if (rec.chained.length)
        await tx.execute(
          sql`update members set merged_into_id = ${m} where merged_into_id = ${s}
              and id in (select (jsonb_array_elements_text(${jsonList(rec.chained)}))::bigint)`,
        )
      // Both member rows exactly as they were.
      const columns = Object.keys(rec.members.survivor).filter((c) => c !== 'id')
      for (const row of [rec.members.survivor, rec.members.merged]) {
        await tx.execute(sql`
          update members t set ${sql.join(
            columns.map((c) => sql`${ident(c)} = r.${ident(c)}`),
            sql`, `,
          )}
          from jsonb_populate_record(null::members, ${JSON.stringify(row)}::jsonb) r
          where t.id = r.id`)
      }
      await resumPoints(tx, [s, m], input.at, true)
      if (!rec.survivorPointsAccount)
        await tx.execute(sql`delete from points_accounts where member_id = ${s} and balance = 0
          and not exists (select 1 from points_entries where member_id = ${s})`)
      else
        await tx.execute(sql`
          update points_accounts p set updated_at = r.updated_at
          from jsonb_populate_record(null::points_accounts, ${JSON.stringify(rec.survivorPointsAccount)}::jsonb) r
          where p.member_id = r.member_id and p.balance = r.balance`)
      await refreshMemberStats(tx, { memberIds: [s, m] }, input.at)
      await tx.execute(
        sql`update member_merges set undone_at = ${input.at.toISOString()}::timestamptz where id = ${input.mergeId}`,
      )
      return { survivorId: s, mergedId: m }
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('undo_conflict', '合并后产生的新数据与原记录冲突，无法撤销合并', 409)
    throw err
  }
}

export interface MergeView {
  id: number
  survivorId: number
  mergedId: number
  reason: string
  operatorId: number | null
  createdAt: string
  undoneAt: string | null
}

/** Merges that involved a member, newest first. */
export async function mergesOf(db: Db, memberId: number): Promise<MergeView[]> {
  const rows = await queryRows<{
    id: number
    survivor_id: number
    merged_id: number
    reason: string
    operator_id: number | null
    created_at: Date | string
    undone_at: Date | string | null
  }>(
    db,
    sql`select id, survivor_id, merged_id, reason, operator_id, created_at, undone_at from member_merges
        where survivor_id = ${memberId} or merged_id = ${memberId} order by id desc`,
  )
  return rows.map((r) => ({
    id: Number(r.id),
    survivorId: Number(r.survivor_id),
    mergedId: Number(r.merged_id),
    reason: r.reason,
    operatorId: r.operator_id === null ? null : Number(r.operator_id),
    createdAt: new Date(r.created_at).toISOString(),
    undoneAt: r.undone_at ? new Date(r.undone_at).toISOString() : null,
  }))
}
