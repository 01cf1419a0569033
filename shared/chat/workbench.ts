// The chat workbench: the conversations of the advisor accounts (members waiting for an answer first),
// one member's 1:1 thread — every stored chat message and every outgoing one still in the paced
// outbox — and an operator's reply, which goes out through the member's own advisor account at its
// pace like any other send (the sender records it on the timeline once it has left).
import { and, desc, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { queryRows, type Db } from '../db/client'
import { conflict, DomainError, invalid, notFound } from '../errors'
import { botAccounts, chatTickets, type OutboundMessage } from '../db/schema/chat'
import { lifecycleStages, members } from '../db/schema/members'
import { stageNames } from '../members/labels'
import { tagsOfMember, memberTagSchema } from '../members/tags'
import { cardFacts, recentOrders } from './answers'
import { keywordAnswer, loadKeywordReplies } from './keyword-replies'
import { enqueueOutbound } from './outbox'
import { recordFeedbackTicket } from './tickets'
import { ticketCategories, type TicketCategory } from './labels'

/** A member who wrote within this long is answered as a reply (no quiet hours, reply pacing). */
const REPLY_WINDOW_MS = 24 * 3600_000
const PENDING = sql.raw(`('queued', 'claimed', 'sending')`)
/** A 1:1 chat message (group messages carry the group). */
const oneToOne = sql.raw(`e.type = 'chat_message' and not (e.payload ? 'chatGroupId')`)

export const conversationSchema = z.object({
  memberId: z.number().int(),
  memberNo: z.string(),
  name: z.string().nullable(),
  accountId: z.number().int().nullable(),
  accountName: z.string().nullable(),
  lastAt: z.string(),
  lastDirection: z.enum(['in', 'out']),
  lastText: z.string().nullable(),
  /** The member wrote last and no answer is on its way. */
  unanswered: z.boolean(),
  /** Operator replies still in the outbox. */
  pending: z.number().int(),
  openTicket: z.boolean(),
})

export const conversationListSchema = z.object({
  items: z.array(conversationSchema),
  total: z.number().int(),
  unanswered: z.number().int(),
})

export interface ConversationFilter {
  since: Date
  unansweredOnly?: boolean
  q?: string
  /** Only members assigned to these accounts (an advisor's scope); every account when absent. */
  accountIds?: number[]
  accountId?: number
  limit: number
  offset: number
}

/** Conversations with a 1:1 message since `since`, unanswered first, then the latest first. */
export async function listConversations(db: Db, f: ConversationFilter) {
  const rows = await conversationRows(db, f)
  // Past the last page the window functions have no row to ride on: count with the first row instead.
  const counts =
    rows[0] ?? (f.offset > 0 ? (await conversationRows(db, { ...f, offset: 0, limit: 1 }))[0] : undefined)
  return {
    items: rows.map((r) => ({
      memberId: Number(r.member_id),
      memberNo: String(r.member_no),
      name: (r.name as string | null) ?? null,
      accountId: r.account_id === null ? null : Number(r.account_id),
      accountName: (r.account_name as string | null) ?? null,
      lastAt: new Date(r.last_at as string).toISOString(),
      lastDirection: r.last_direction === 'out' ? ('out' as const) : ('in' as const),
      lastText: (r.last_text as string | null) ?? null,
      unanswered: Boolean(r.unanswered),
      pending: Number(r.pending),
      openTicket: Boolean(r.open_ticket),
    })),
    total: counts ? Number(counts.total) : 0,
    unanswered: counts ? Number(counts.unanswered_total) : 0,
  }
}

async function conversationRows(db: Db, f: ConversationFilter): Promise<Record<string, unknown>[]> {
  if (f.accountIds && f.accountIds.length === 0) return []
  const ids = (xs: number[]) =>
    sql.join(
      xs.map((x) => sql`${x}`),
      sql`, `,
    )
  const scope = [
    f.accountIds ? sql`and m.advisor_account_id in (${ids(f.accountIds)})` : sql``,
    f.accountId ? sql`and m.advisor_account_id = ${f.accountId}` : sql``,
    f.q
      ? sql`and (m.member_no = ${f.q} or strpos(coalesce(m.name, ''), ${f.q}) > 0 or strpos(coalesce(m.nickname, ''), ${f.q}) > 0)`
      : sql``,
  ]
  return queryRows<Record<string, unknown>>(
    db,
    sql`with latest as (
      select distinct on (e.member_id) e.member_id, e.occurred_at, e.payload
      from member_events e
      where ${oneToOne} and e.occurred_at >= ${f.since.toISOString()}::timestamptz
      order by e.member_id, e.occurred_at desc, e.id desc
    ), pending as (
      -- Operator replies still waiting are few: gathered once, not looked up per conversation.
      select o.member_id, count(*)::int as n from outbound_messages o
      where o.status in ${PENDING} and o.kind = 'direct' and o.source = 'operator'
      group by o.member_id
    ), open_tickets as (
      select distinct t.member_id from chat_tickets t where t.status = 'open'
    ), conv as (
      select m.id as member_id, m.member_no, coalesce(m.name, m.nickname) as name,
        m.advisor_account_id as account_id, a.display_name as account_name,
        l.occurred_at as last_at, coalesce(l.payload->>'direction', 'in') as last_direction,
        l.payload->>'text' as last_text, coalesce(p.n, 0) as pending, ot.member_id is not null as open_ticket
      from latest l
      join members m on m.id = l.member_id and m.merged_into_id is null
      left join bot_accounts a on a.id = m.advisor_account_id
      left join pending p on p.member_id = m.id
      left join open_tickets ot on ot.member_id = m.id
      where true ${sql.join(scope, sql` `)}
    ), marked as (
      select *, (last_direction = 'in' and pending = 0) as unanswered from conv
    )
    select *, count(*) over ()::int as total, (count(*) filter (where unanswered) over ())::int as unanswered_total
    from marked
    ${f.unansweredOnly ? sql`where unanswered` : sql``}
    order by unanswered desc, last_at desc, member_id desc
    limit ${f.limit} offset ${f.offset}`,
  )
}

export const threadItemSchema = z.object({
  /** `outbox:<id>` for anything that went through the outbox (pending, then sent), else `event:<id>`. */
  key: z.string(),
  at: z.string(),
  direction: z.enum(['in', 'out']),
  text: z.string().nullable(),
  messageType: z.string(),
  accountId: z.number().int().nullable(),
  accountName: z.string().nullable(),
  /** Who or what wrote an outgoing message: operator, keyword, welcome, campaign … */
  origin: z.string().nullable(),
  /** received (the member wrote), or the outbox status: queued, claimed, sending, sent, failed, dead … */
  status: z.string(),
  outboxId: z.number().int().nullable(),
  operatorName: z.string().nullable(),
  error: z.string().nullable(),
})
export type ThreadItem = z.infer<typeof threadItemSchema>

export const threadPageSchema = z.object({
  items: z.array(threadItemSchema),
  nextCursor: z.string().nullable(),
})

function decodeCursor(cursor: string) {
  const [at, src, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!at || !src || !id || Number.isNaN(Date.parse(at)) || !/^[eo]$/.test(src) || !/^\d+$/.test(id))
    throw invalid('query.cursor', '分页游标无效')
  return { at, src, id }
}

/** One page of the member's 1:1 thread, newest first; the cursor pages backwards in time. */
export async function conversationThread(
  db: Db,
  memberId: number,
  page: { limit: number; cursor?: string | null },
) {
  const after = page.cursor ? decodeCursor(page.cursor) : null
  const ms = (col: string) => sql.raw(`date_trunc('milliseconds', ${col})`)
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select t.*, a.display_name as account_name, op.display_name as operator_name from (
      select 'e' as src, e.id, ${ms('e.occurred_at')} as at, coalesce(e.payload->>'direction', 'in') as direction,
        e.payload->>'text' as text, coalesce(e.payload->>'messageType', 'text') as message_type,
        (e.payload->>'accountId')::bigint as account_id, e.payload->>'origin' as origin,
        case when e.payload->>'direction' = 'out' then 'sent' else 'received' end as status,
        o.id as outbox_id, (o.payload->>'operatorId')::bigint as operator_id, null::text as error
      from member_events e
      left join outbound_messages o
        on o.id = case when e.source_key ~ '^outbox:[0-9]+$' then substr(e.source_key, 8)::bigint end
      where e.member_id = ${memberId} and ${oneToOne}
      union all
      select 'o', o.id, ${ms('o.created_at')}, 'out', o.text,
        case when o.payload ? 'link' then 'url' when o.payload ? 'miniProgram' then 'mini_program' else 'text' end,
        o.account_id, o.source, o.status, o.id, (o.payload->>'operatorId')::bigint, o.last_error
      from outbound_messages o
      where o.member_id = ${memberId} and o.kind = 'direct'
        and not exists (select 1 from member_events e2 where e2.source_key = 'outbox:' || o.id)
    ) t
    left join bot_accounts a on a.id = t.account_id
    left join operators op on op.id = t.operator_id
    ${after ? sql`where (t.at, t.src, t.id) < (${after.at}::timestamptz, ${after.src}, ${after.id}::bigint)` : sql``}
    order by t.at desc, t.src desc, t.id desc
    limit ${page.limit + 1}`,
  )
  const items = rows.slice(0, page.limit).map((r): ThreadItem => ({
    key: r.outbox_id !== null ? `outbox:${r.outbox_id}` : `event:${r.id}`,
    at: new Date(r.at as string).toISOString(),
    direction: r.direction === 'out' ? 'out' : 'in',
    text: (r.text as string | null) ?? null,
    messageType: String(r.message_type),
    accountId: r.account_id === null ? null : Number(r.account_id),
    accountName: (r.account_name as string | null) ?? null,
    origin: (r.origin as string | null) ?? null,
    status: String(r.status),
    outboxId: r.outbox_id === null ? null : Number(r.outbox_id),
    operatorName: (r.operator_name as string | null) ?? null,
    error: (r.error as string | null) ?? null,
  }))
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined
  const nextCursor = last
    ? Buffer.from(
        `${new Date(last.at as string).toISOString()}|${String(last.src)}|${String(last.id)}`,
        'utf8',
      ).toString('base64url')
    : null
  return { items, nextCursor }
}

async function liveMember(db: Db, memberId: number) {
  const [member] = await db.select().from(members).where(eq(members.id, memberId))
  if (!member) throw notFound('会员', 'member_not_found')
  if (member.mergedIntoId)
    throw new DomainError('member_merged', `该会员已合并到会员 ${member.mergedIntoId}`, 409)
  return member
}

interface ReplyRoute {
  account: { id: number; displayName: string; state: string } | null
  /** Why no reply can go now (null: it can). */
  blocked: string | null
  /** The member wrote within a day: the answer is paced as a reply. */
  answering: boolean
}

/** Whether and how an operator's reply can reach the member through their advisor account. */
async function replyRoute(db: Db, member: typeof members.$inferSelect, at: Date): Promise<ReplyRoute> {
  if (!member.advisorAccountId)
    return { account: null, blocked: '该会员还没有专属顾问账号', answering: false }
  const [row] = await queryRows<{
    id: number
    display_name: string
    state: string
    friend: boolean
    last_in: string | null
  }>(
    db,
    sql`select a.id, a.display_name, a.state,
      exists (select 1 from member_identities i where i.member_id = ${member.id} and i.kind = 'chat_contact'
        and i.value like a.id || ':%') as friend,
      (select max(e.occurred_at) from member_events e where e.member_id = ${member.id} and ${oneToOne}
        and e.payload->>'direction' = 'in' and e.payload->>'accountId' = a.id::text) as last_in
    from bot_accounts a where a.id = ${member.advisorAccountId}`,
  )
  const account = { id: Number(row!.id), displayName: row!.display_name, state: row!.state }
  const answering =
    row!.last_in !== null && at.getTime() - new Date(row!.last_in).getTime() <= REPLY_WINDOW_MS
  const blocked =
    account.state === 'banned' || account.state === 'disabled'
      ? `顾问账号「${account.displayName}」已${account.state === 'banned' ? '被封' : '停用'}，请先为会员更换顾问`
      : member.optedOutAt
        ? '会员已退订，不能再主动发消息'
        : !row!.friend
          ? `会员还不是「${account.displayName}」的微信好友`
          : null
  return { account, blocked, answering }
}

export const conversationCardSchema = z.object({
  member: z.object({
    id: z.number().int(),
    memberNo: z.string(),
    name: z.string().nullable(),
    nickname: z.string().nullable(),
    stage: z.enum(lifecycleStages),
    stageName: z.string(),
    optedOut: z.boolean(),
    lastSeenAt: z.string().nullable(),
  }),
  account: z.object({ id: z.number().int(), displayName: z.string(), state: z.string() }).nullable(),
  reply: z.object({
    allowed: z.boolean(),
    reason: z.string().nullable(),
    paced: z.enum(['reply', 'direct']),
  }),
  tiers: z.array(z.string()),
  points: z.number().int(),
  orders: z.array(
    z.object({
      orderNo: z.string(),
      status: z.string(),
      statusName: z.string(),
      payFen: z.number().int(),
      title: z.string().nullable(),
      items: z.number().int(),
      createdAt: z.string(),
    }),
  ),
  openTicket: z
    .object({
      id: z.number().int(),
      category: z.string(),
      openedAt: z.string(),
      messages: z.number().int(),
      lastText: z.string().nullable(),
    })
    .nullable(),
  tags: z.array(memberTagSchema),
})

/** The member beside the thread: tier, points, stage, last orders, the open ticket, tags. */
export async function conversationCard(db: Db, memberId: number, at: Date) {
  const member = await liveMember(db, memberId)
  const [route, card, orders, [ticket], tags] = await Promise.all([
    replyRoute(db, member, at),
    cardFacts(db, memberId, at),
    recentOrders(db, memberId, 3),
    db
      .select()
      .from(chatTickets)
      .where(and(eq(chatTickets.memberId, memberId), eq(chatTickets.status, 'open')))
      .orderBy(desc(chatTickets.openedAt))
      .limit(1),
    tagsOfMember(db, memberId),
  ])
  const ticketMessages = Array.isArray(ticket?.messages) ? (ticket.messages as { text?: unknown }[]) : []
  const lastText = ticketMessages.at(-1)?.text
  return {
    member: {
      id: member.id,
      memberNo: member.memberNo,
      name: member.name,
      nickname: member.nickname,
      stage: member.stage,
      stageName: stageNames[member.stage],
      optedOut: member.optedOutAt !== null,
      lastSeenAt: member.lastSeenAt?.toISOString() ?? null,
    },
    account: route.account,
    reply: {
      allowed: route.blocked === null,
      reason: route.blocked,
      paced: route.answering ? ('reply' as const) : ('direct' as const),
    },
    tiers: card.tiers,
    points: card.points,
    orders: orders.map((o) => ({
      orderNo: o.orderNo,
      status: o.status,
      statusName: o.statusName,
      payFen: o.payFen,
      title: o.title,
      items: o.items,
      createdAt: o.createdAt.toISOString(),
    })),
    openTicket: ticket
      ? {
          id: ticket.id,
          category: ticket.category,
          openedAt: ticket.openedAt.toISOString(),
          messages: ticketMessages.length,
          lastText: typeof lastText === 'string' ? lastText : null,
        }
      : null,
    tags,
  }
}

export const replyInputSchema = z.object({
  text: z.string().trim().min(1, '请输入回复内容').max(1000, '回复最多 1000 字'),
  /** Chosen by the console once per reply: sending it again (a retry after a timeout) queues it once. */
  clientKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '请求标识不正确'),
})

/** Queue an operator's reply in the advisor account's paced outbox; the same clientKey queues once. */
export async function sendOperatorReply(
  db: Db,
  input: { memberId: number; text: string; clientKey: string; operatorId: number; at: Date },
): Promise<{ message: OutboundMessage; created: boolean }> {
  const member = await liveMember(db, input.memberId)
  const route = await replyRoute(db, member, input.at)
  if (route.blocked) throw new DomainError('reply_not_possible', route.blocked, 409)
  return enqueueOutbound(db, {
    dedupeKey: `operator:${member.id}:${input.clientKey}`,
    accountId: route.account!.id,
    kind: 'direct',
    memberId: member.id,
    text: input.text,
    source: 'operator',
    payload: { operatorId: input.operatorId },
    ...(route.answering ? { action: 'reply' as const } : {}),
    notBefore: input.at,
    // A person is waiting: ahead of campaign greetings in the same account's queue.
    priority: 20,
  })
}

export const ticketInputSchema = z.object({
  category: z.enum(ticketCategories),
  text: z.string().trim().min(1, '请写明会员反馈的内容').max(1000),
})

/** An operator opens a feedback ticket from the thread (one open ticket per member). */
export async function openTicketFromChat(
  db: Db,
  input: { memberId: number; category: TicketCategory; text: string; at: Date },
) {
  const member = await liveMember(db, input.memberId)
  if (!member.advisorAccountId) throw conflict('no_advisor_account', '该会员还没有专属顾问账号，工单无处归属')
  const [open] = await db
    .select({ id: chatTickets.id })
    .from(chatTickets)
    .where(and(eq(chatTickets.memberId, member.id), eq(chatTickets.status, 'open')))
  if (open) throw conflict('ticket_already_open', `该会员已有待处理的工单 #${open.id}`)
  const { ticket } = await recordFeedbackTicket(db, {
    memberId: member.id,
    accountId: member.advisorAccountId,
    category: input.category,
    text: input.text,
    matched: '',
    at: input.at,
  })
  return ticket
}

export const quickReplySchema = z.object({ code: z.string(), title: z.string(), text: z.string() })

/**
 * Ready answers for this member: the keyword replies in force (points, card, orders and whatever
 * operators added in 话术与关键词), filled with the member's facts.
 */
export async function quickReplies(db: Db, memberId: number, at: Date) {
  const member = await liveMember(db, memberId)
  const [account] = member.advisorAccountId
    ? await db
        .select({ name: botAccounts.displayName })
        .from(botAccounts)
        .where(eq(botAccounts.id, member.advisorAccountId))
    : []
  const advisor = account?.name.split('·')[0]?.trim() || '顾问'
  const rules = (await loadKeywordReplies(db)).filter((r) => r.code !== 'human')
  return Promise.all(
    rules.map(async (rule) => ({
      code: rule.code,
      title: rule.keywords[0]!,
      text: await keywordAnswer(db, rule, memberId, at, advisor),
    })),
  )
}
