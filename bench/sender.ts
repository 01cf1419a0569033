// `npm run bench:sender [-- --quick]`: a week of 20 advisor accounts with every risky action mixed —
// campaign messages, links and mini-program cards, group posts, friend requests, group invitations and
// keyword replies arriving through the days — sent by the real paced sender (claims, pacing rules, state
// moves in PostgreSQL) on a virtual clock. Checks every account's gaps (per kind and between any two
// actions), hourly and daily caps and quiet hours, counts duplicates, and compares the schedule's length
// with the fastest the same rules allow (every gap at its minimum, the same choice of next action):
// ratio = simulated / fastest. The accounts' caps are scaled down (per-account rule overrides, as an
// operator would set them) so that a week of capped sending runs in well under a minute.
import { sql } from 'drizzle-orm'
import { VirtualClock } from '../shared/clock'
import { acquireLeases } from '../shared/chat/accounts'
import {
  accountDay,
  accountPolicy,
  actionKinds,
  dailyAllowance,
  freshPacingState,
  inQuietHours,
  nextActionTime,
  recordAction,
  shanghaiHour,
  type ActionKind,
  type PacingEnv,
  type PacingPolicy,
  type PacingRuleRow,
} from '../shared/chat/pacing'
import { queryRows } from '../shared/db/client'
import { shanghaiDate } from '../shared/clock'
import { createLogger } from '../shared/logger'
import { AccountSender } from '../bot/sender/account-sender'
import { simulate } from '../bot/sender/simulation'
import type { SendTransport } from '../bot/sender/transport'
import { benchDatabase, quick } from './support'

const ACCOUNTS = quick ? 5 : 20
const START = new Date('2026-03-02T09:00:00+08:00') // a Monday morning
const DAY = 24 * 3600_000
const ESTABLISHED = new Date('2025-01-01T00:00:00Z')

/** Per account per day, and how many of each the week holds (six capped days). */
const caps: Record<ActionKind, { daily: number; hourly: number; week: number }> = {
  direct: { daily: 3, hourly: 2, week: 18 },
  link: { daily: 1, hourly: 1, week: 6 },
  group_post: { daily: 1, hourly: 1, week: 6 },
  friend_accept: { daily: 1, hourly: 1, week: 6 },
  invite: { daily: 1, hourly: 1, week: 6 },
  reply: { daily: 3, hourly: 2, week: 12 },
  group_create: { daily: 1, hourly: 1, week: 0 },
}
const overrides: PacingRuleRow[] = actionKinds.flatMap((k): PacingRuleRow[] => [
  { code: 'daily_cap', args: { kind: k, max: caps[k].daily, ramp: [] } },
  { code: 'hourly_cap', args: { kind: k, max: caps[k].hourly } },
])

function seeded(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

interface Item {
  id: number
  action: ActionKind
  notBefore: number
  priority: number
}

/** The same choice the sender makes (due items of the kinds the rules allow, by priority), gaps at minimum. */
function fastestFinish(items: Item[], policy: PacingPolicy, env: PacingEnv, start: number): number {
  const left = [...items].sort((a, b) => b.priority - a.priority || a.notBefore - b.notBefore || a.id - b.id)
  let s = freshPacingState()
  let now = start
  let last = start
  while (left.length) {
    const times = new Map(
      actionKinds.map((k) => [k, nextActionTime(s, policy, k, new Date(now), env).getTime()]),
    )
    const i = left.findIndex((it) => times.get(it.action)! <= now && it.notBefore <= now)
    if (i >= 0) {
      const [it] = left.splice(i, 1)
      s = recordAction(s, policy, it!.action, new Date(now), () => 0, env)
      last = now
      continue
    }
    now = Math.min(...left.map((it) => Math.max(times.get(it.action)!, it.notBefore)))
  }
  return last
}

const database = await benchDatabase('sender')
const { db } = database
const logger = createLogger({ level: 'silent' })
const random = seeded(2026)
const pacing = { rules: overrides }

const accountIds = (
  await queryRows<{ id: number }>(
    db,
    sql`insert into bot_accounts (name, display_name, state, first_login_at, pacing)
      select 'bench-advisor-' || g, '顾问' || g, 'online', ${ESTABLISHED.toISOString()}::timestamptz, ${JSON.stringify(pacing)}::jsonb
      from generate_series(1, ${ACCOUNTS}) g returning id`,
  )
).map((r) => Number(r.id))

const perAccount = Object.values(caps).reduce((n, c) => n + c.week, 0)
const itemsOf = new Map<number, Item[]>()
for (const accountId of accountIds) {
  const memberIds = (
    await queryRows<{ id: number }>(
      db,
      sql`with m as (
        insert into members (name, source, advisor_account_id)
        select '会员' || g, 'bench', ${accountId} from generate_series(1, ${perAccount}) g returning id)
      , i as (insert into member_identities (member_id, kind, value, verified)
        select id, 'chat_contact', ${`${accountId}:`} || 'wx' || id, true from m returning member_id)
      select member_id as id from i order by member_id`,
    )
  ).map((r) => Number(r.id))
  const [group] = await queryRows<{ id: number }>(
    db,
    sql`insert into chat_groups (account_id, room_id, topic, capacity) values (${accountId}, ${`bench-${accountId}@chatroom`}, '会员群', 500) returning id`,
  )
  const rows: {
    key: string
    kind: string
    member: number | null
    group: number | null
    text: string
    source: string
    payload: unknown
    notBefore: number
    priority: number
  }[] = []
  let m = 0
  const add = (action: ActionKind, n: number, notBefore: (i: number) => number) => {
    for (let i = 0; i < n; i++) {
      const member = memberIds[m++]!
      const key = `${action}:${accountId}:${i}`
      const at = notBefore(i)
      if (action === 'direct')
        rows.push({
          key,
          kind: 'direct',
          member,
          group: null,
          text: key,
          source: 'campaign',
          payload: null,
          notBefore: at,
          priority: 0,
        })
      if (action === 'link')
        rows.push({
          key,
          kind: 'direct',
          member,
          group: null,
          text: key,
          source: 'campaign',
          payload:
            i % 2
              ? { link: { url: `https://shop.example.cn/p/${i}`, title: key } }
              : { miniProgram: { appid: 'wx0123456789abcdef', title: key, pagePath: `pages/p/${i}` } },
          notBefore: at,
          priority: 0,
        })
      if (action === 'group_post')
        rows.push({
          key,
          kind: 'group',
          member: null,
          group: Number(group!.id),
          text: key,
          source: 'notice',
          payload: null,
          notBefore: at,
          priority: 0,
        })
      if (action === 'invite')
        rows.push({
          key,
          kind: 'invite',
          member,
          group: Number(group!.id),
          text: key,
          source: 'invite',
          payload: null,
          notBefore: at,
          priority: 0,
        })
      if (action === 'friend_accept')
        rows.push({
          key,
          kind: 'friend_accept',
          member,
          group: null,
          text: key,
          source: 'friend_request',
          payload: { friendshipId: key },
          notBefore: at,
          priority: 5,
        })
      if (action === 'reply')
        rows.push({
          key,
          kind: 'direct',
          member,
          group: null,
          text: key,
          source: 'keyword:points',
          payload: null,
          notBefore: at,
          priority: 10,
        })
    }
  }
  const start = START.getTime()
  for (const k of ['direct', 'link', 'group_post', 'invite'] as const) add(k, caps[k].week, () => start)
  // Friend requests and questions arrive through the first six days, day and night.
  add('friend_accept', caps.friend_accept.week, () => start + Math.floor(random() * 6 * DAY))
  add('reply', caps.reply.week, () => start + Math.floor(random() * 6 * DAY))
  await db.execute(sql`
    insert into outbound_messages (dedupe_key, account_id, member_id, chat_group_id, kind, text, source, payload, not_before, priority)
    select r.key, ${accountId}, r.member, r.grp, r.kind, r.text, r.source, r.payload, r.nb, r.priority
    from jsonb_to_recordset(${JSON.stringify(
      rows.map((r) => ({ ...r, grp: r.group, nb: new Date(r.notBefore).toISOString() })),
    )}::jsonb) as r(key text, member bigint, grp bigint, kind text, text text, source text, payload jsonb, nb timestamptz, priority int)`)
  const stored = await queryRows<{ id: number; action: ActionKind; not_before: Date; priority: number }>(
    db,
    sql`select id, action, not_before, priority from outbound_messages where account_id = ${accountId}`,
  )
  itemsOf.set(
    accountId,
    stored.map((r) => ({
      id: Number(r.id),
      action: r.action,
      notBefore: new Date(r.not_before).getTime(),
      priority: r.priority,
    })),
  )
}

const clock = new VirtualClock(START)
await acquireLeases(db, { owner: 'bench', now: clock.now(), ttlMs: 365 * DAY })

interface Delivery {
  action: ActionKind
  at: number
  key: string
}
const deliveries = new Map<number, Delivery[]>(accountIds.map((id) => [id, []]))
const kindOfText = (text: string) => text.split(':')[0] as ActionKind
const transport = (accountId: number): SendTransport => {
  const log = (action: ActionKind, key: string) => {
    deliveries.get(accountId)!.push({ action, at: clock.now().getTime(), key })
  }
  return {
    sayToContact: async (_contact, text) => log(kindOfText(text), text),
    sayInRoom: async (_room, text) => log('group_post', text),
    sendCard: async (_to, payload) => log('link', (payload.link?.title ?? payload.miniProgram?.title)!),
    announce: async (_room, text) => log('group_post', text),
    addToRoom: async (_room, contact) => log('invite', `invite:${contact}`),
    createRoom: async () => {
      log('group_create', `create:${clock.now().getTime()}`)
      return `bench-new-${accountId}@chatroom`
    },
    acceptFriendship: async (id) => log('friend_accept', id),
  }
}

const started = performance.now()
await simulate(
  accountIds.map(
    (id) => new AccountSender({ db, clock, logger, owner: 'bench', random: seeded(id) }, id, transport(id)),
  ),
  { clock },
)
const wallSeconds = (performance.now() - started) / 1000

const policy = accountPolicy({ dailyCap: caps.direct.daily, quietStart: '22:00', quietEnd: '08:30', pacing })
const env: PacingEnv = { firstDay: shanghaiDate(ESTABLISHED) }
const gapOf = (k: ActionKind) => {
  const row = policy.rules.find((r) => r.code === 'gap' && r.args.kind === k)
  return row?.code === 'gap' ? row.args.ms[0] : 0
}
const anyGap = (() => {
  const row = policy.rules.find((r) => r.code === 'any_gap')
  return row?.code === 'any_gap' ? row.args.ms[0] : 0
})()

let violations = 0
let duplicates = 0
let last = START.getTime()
let fastest = START.getTime()
const byKind: Partial<Record<ActionKind, number>> = {}
for (const [accountId, log] of deliveries) {
  log.sort((a, b) => a.at - b.at)
  const seen = new Set<string>()
  const lastOf = new Map<ActionKind, number>()
  const perHour = new Map<string, number>()
  const perDay = new Map<string, number>()
  log.forEach((d, i) => {
    byKind[d.action] = (byKind[d.action] ?? 0) + 1
    if (seen.has(d.key)) duplicates++
    seen.add(d.key)
    if (d.action !== 'reply' && inQuietHours(new Date(d.at), { quietStart: '22:00', quietEnd: '08:30' }))
      violations++
    if (i > 0 && d.at - log[i - 1]!.at < anyGap) violations++
    const prev = lastOf.get(d.action)
    if (prev !== undefined && d.at - prev < gapOf(d.action)) violations++
    lastOf.set(d.action, d.at)
    const h = `${d.action}:${shanghaiHour(new Date(d.at))}`
    const day = `${d.action}:${shanghaiDate(new Date(d.at))}`
    perHour.set(h, (perHour.get(h) ?? 0) + 1)
    perDay.set(day, (perDay.get(day) ?? 0) + 1)
    if (perHour.get(h)! > caps[d.action].hourly) violations++
    if (
      perDay.get(day)! >
      dailyAllowance({ max: caps[d.action].daily, ramp: [] }, accountDay(env, new Date(d.at)))
    )
      violations++
    last = Math.max(last, d.at)
  })
  fastest = Math.max(fastest, fastestFinish(itemsOf.get(accountId)!, policy, env, START.getTime()))
}
const [sent] = await queryRows<{ n: number; left: number }>(
  db,
  sql`select count(*) filter (where status = 'sent')::int as n, count(*) filter (where status <> 'sent')::int as left from outbound_messages`,
)
const delivered = [...deliveries.values()].reduce((n, t) => n + t.length, 0)
// Every delivery must be exactly one row marked sent, and every row must have gone.
if (sent!.n !== delivered) duplicates += Math.abs(delivered - sent!.n)
const simulatedHours = (last - START.getTime()) / 3600_000
const fastestHours = (fastest - START.getTime()) / 3600_000

process.stdout.write(
  JSON.stringify({
    accounts: ACCOUNTS,
    actions: delivered,
    by_kind: byKind,
    not_sent: sent!.left,
    simulated_days: Number((simulatedHours / 24).toFixed(2)),
    fastest_days: Number((fastestHours / 24).toFixed(2)),
    ratio: Number((simulatedHours / fastestHours).toFixed(4)),
    violations,
    duplicates,
    wall_seconds: Number(wallSeconds.toFixed(1)),
  }) + '\n',
)
await database.close()
