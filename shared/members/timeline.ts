// The member timeline: the event stream (chats, views, orders, shares, feedback, campaigns…), campaign
// messages delivered to them, points ledger entries, stage changes and tags, merged newest first and paged with a cursor that stays
// stable while new items arrive.
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { queryRows, type Db } from '../db/client'
import { invalid } from '../errors'
import { memberEventLabels, stageNames } from './labels'

export const timelineItemSchema = z.object({
  /** event, message (a campaign message delivered), points, stage, tag */
  source: z.enum(['event', 'message', 'points', 'stage', 'tag']),
  id: z.string(),
  at: z.string(),
  /** The event type, `campaign_message`, points entry kind, `stage_changed` or `tagged`. */
  type: z.string(),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
})
export type TimelineItem = z.infer<typeof timelineItemSchema>

export interface TimelinePage {
  items: TimelineItem[]
  /** Pass back to get the next (older) page; null at the end. */
  nextCursor: string | null
}

const sourceRank = { message: 5, event: 4, points: 3, stage: 2, tag: 1 } as const

const stageName = (code: unknown) =>
  typeof code === 'string' ? ((stageNames as Record<string, string>)[code] ?? code) : '—'

function decodeCursor(cursor: string): { at: string; rank: number; id: string } {
  const [at, rank, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!at || !rank || !id || Number.isNaN(Date.parse(at)) || !/^\d+$/.test(rank))
    throw invalid('cursor', '分页游标无效')
  return { at, rank: Number(rank), id }
}

const encodeCursor = (at: string, rank: number, id: string) =>
  Buffer.from(`${at}|${rank}|${id}`, 'utf8').toString('base64url')

function summarize(source: TimelineItem['source'], type: string, data: Record<string, unknown>): string {
  if (source === 'event') {
    const base = (memberEventLabels as Record<string, string>)[type] ?? type
    const text = typeof data.text === 'string' ? `：${data.text.slice(0, 60)}` : ''
    const title = typeof data.title === 'string' ? `：${data.title}` : ''
    const order = typeof data.orderNo === 'string' ? ` ${data.orderNo}` : ''
    return `${base}${order}${title || text}`
  }
  if (source === 'points') return `积分 ${Number(data.amount) > 0 ? '+' : ''}${data.amount}：${data.reason}`
  if (source === 'message') return `收到活动消息：${String(data.text ?? '').slice(0, 60)}`
  if (source === 'stage') return `阶段变化：${stageName(data.fromStage)} → ${stageName(data.toStage)}`
  return `打标签：${data.dimension} / ${data.tag}`
}

/** One page of a member's timeline, newest first. */
export async function memberTimeline(
  db: Db,
  memberId: number,
  options: { limit?: number; cursor?: string | null; types?: string[] } = {},
): Promise<TimelinePage> {
  const limit = Math.min(Math.max(options.limit ?? 30, 1), 200)
  const after = options.cursor ? decodeCursor(options.cursor) : null
  const conditions = []
  if (after)
    conditions.push(
      sql`(t.at, t.rank, t.id) < (${after.at}::timestamptz, ${after.rank}, ${after.id}::bigint)`,
    )
  if (options.types?.length)
    conditions.push(
      sql`t.type = any(array[${sql.join(
        options.types.map((t) => sql`${t}`),
        sql`, `,
      )}]::text[])`,
    )
  const where = conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``
  // Times are cut to milliseconds so the cursor (a JavaScript date) compares exactly.
  const ms = (col: string) => sql.raw(`date_trunc('milliseconds', ${col})`)
  const rows = await queryRows<{
    source: TimelineItem['source']
    id: number
    at: Date | string
    rank: number
    type: string
    data: Record<string, unknown>
  }>(
    db,
    sql`
    select * from (
      select 'event' as source, e.id, ${ms('e.occurred_at')} as at, ${sql.raw(String(sourceRank.event))} as rank, e.type, e.payload as data
      from member_events e where e.member_id = ${memberId}
      union all
      select 'message', o.id, ${ms('o.sent_at')}, ${sql.raw(String(sourceRank.message))}, 'campaign_message',
        jsonb_build_object('text', o.text, 'accountId', o.account_id, 'campaignRunId', o.campaign_run_id)
      from outbound_messages o
      where o.member_id = ${memberId} and o.status = 'sent' and o.source = 'campaign' and o.sent_at is not null
      union all
      select 'points', p.id, ${ms('p.created_at')}, ${sql.raw(String(sourceRank.points))}, p.kind,
        jsonb_build_object('amount', p.amount, 'reason', p.reason, 'expiresAt', p.expires_at)
      from points_entries p where p.member_id = ${memberId}
      union all
      select 'stage', c.id, ${ms('c.changed_at')}, ${sql.raw(String(sourceRank.stage))}, 'stage_changed',
        jsonb_build_object('fromStage', c.from_stage, 'toStage', c.to_stage)
      from member_stage_changes c where c.member_id = ${memberId}
      union all
      select 'tag', t.id, ${ms('mt.created_at')}, ${sql.raw(String(sourceRank.tag))}, 'tagged',
        jsonb_build_object('tag', t.name, 'dimension', d.name, 'taggedBy', mt.tagged_by, 'operatorId', mt.operator_id)
      from member_tags mt join tags t on t.id = mt.tag_id join tag_dimensions d on d.id = t.dimension_id
      where mt.member_id = ${memberId}
    ) t
    ${where}
    order by t.at desc, t.rank desc, t.id desc
    limit ${limit + 1}
  `,
  )
  const page = rows.slice(0, limit)
  const items = page.map((r) => {
    const at = new Date(r.at).toISOString()
    return {
      source: r.source,
      id: `${r.source}:${r.id}`,
      at,
      type: r.type,
      summary: summarize(r.source, r.type, r.data),
      data: r.data,
    }
  })
  const last = page[page.length - 1]
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(new Date(last.at).toISOString(), Number(last.rank), String(last.id))
        : null,
  }
}
