// `npm run bench:sender [-- --quick]`: 50,000 greetings over 20 accounts (5,000 with --quick) sent by the
// real paced sender (claims, pacing, state transitions in PostgreSQL) on a virtual clock. Checks every
// account's minimum gap, daily cap and quiet hours, and counts duplicates. Baselines computed in the same
// run from the pure pacing rule: the fastest schedule the policy allows (every gap at its minimum, the
// theoretical minimum: ratio = simulated / theoretical) and its expected pace (gaps at mid-range, so
// ratio_to_expected_pace shows what the worker itself adds beyond the deliberate jitter).
import { sql } from 'drizzle-orm'
import { VirtualClock } from '../shared/clock'
import { acquireLeases } from '../shared/chat/accounts'
import {
  defaultPacingPolicy,
  freshPacingState,
  inQuietHours,
  nextSendTime,
  recordSend,
  type PacingPolicy,
} from '../shared/chat/pacing'
import { queryRows } from '../shared/db/client'
import { createLogger } from '../shared/logger'
import { AccountSender } from '../bot/sender/account-sender'
import { simulate } from '../bot/sender/simulation'
import type { SendTransport } from '../bot/sender/transport'
import { benchDatabase, quick } from './support'

const MESSAGES = quick ? 5_000 : 50_000
const ACCOUNTS = 20
const START = new Date('2026-01-26T09:00:00+08:00') // a Monday morning before the Spring Festival

function seeded(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** The policy's own schedule for n sends with every gap drawn at `draw` (0 = minimum, 0.5 = expected). */
function scheduleFinish(n: number, policy: PacingPolicy, start: Date, draw: number): number {
  let s = freshPacingState()
  let t = start
  for (let i = 0; i < n; i++) {
    t = nextSendTime(s, policy, t, 'direct')
    s = recordSend(s, policy, 'direct', t, () => draw)
  }
  return t.getTime()
}

const database = await benchDatabase('sender')
const { db } = database
const logger = createLogger({ level: 'silent' })
const perAccount = MESSAGES / ACCOUNTS

const accounts = (await db.execute(sql`
  insert into bot_accounts (name, display_name, state)
  select 'bench-advisor-' || g, '顾问' || g, 'online' from generate_series(1, ${ACCOUNTS}) g
  returning id`)) as unknown as { rows: { id: number }[] }
const accountIds = accounts.rows.map((r) => Number(r.id))
for (const accountId of accountIds) {
  await database.exec(`
    with m as (
      insert into members (name, source, advisor_account_id)
      select '会员' || g, 'bench', ${accountId} from generate_series(1, ${perAccount}) g
      returning id)
    , i as (
      insert into member_identities (member_id, kind, value, verified)
      select id, 'chat_contact', '${accountId}:wx' || id, true from m returning member_id)
    insert into outbound_messages (dedupe_key, account_id, member_id, kind, text, source, not_before)
    select 'spring-2026:' || member_id, ${accountId}, member_id, 'direct', '新春快乐，感谢一年来的陪伴！', 'campaign', '${START.toISOString()}'
    from i`)
}
const clock = new VirtualClock(START)
await acquireLeases(db, { owner: 'bench', now: clock.now(), ttlMs: 365 * 24 * 3600_000 })

const deliveries = new Map<number, number[]>(accountIds.map((id) => [id, []]))
const seen = new Set<string>()
let duplicates = 0
const transport = (accountId: number): SendTransport => ({
  async sayToContact(contactId) {
    const key = `${accountId}:${contactId}`
    if (seen.has(key)) duplicates++
    seen.add(key)
    deliveries.get(accountId)!.push(clock.now().getTime())
  },
  sayInRoom: async () => {},
  announce: async () => {},
  addToRoom: async () => {},
  createRoom: async () => 'unused@chatroom',
})

const started = performance.now()
await simulate(
  accountIds.map(
    (id) => new AccountSender({ db, clock, logger, owner: 'bench', random: seeded(id) }, id, transport(id)),
  ),
  { clock },
)
const wallSeconds = (performance.now() - started) / 1000

const policy = defaultPacingPolicy
let violations = 0
let last = START.getTime()
let gapSum = 0
let gaps = 0
for (const times of deliveries.values()) {
  const perDay = new Map<string, number>()
  times.forEach((t, i) => {
    if (inQuietHours(new Date(t), policy)) violations++
    if (i > 0) {
      const gap = t - times[i - 1]!
      if (gap < policy.directGapMs[0]) violations++
      if (gap < 3600_000) {
        gapSum += gap
        gaps++
      }
    }
    const day = new Date(t + 8 * 3600_000).toISOString().slice(0, 10)
    perDay.set(day, (perDay.get(day) ?? 0) + 1)
    last = Math.max(last, t)
  })
  for (const n of perDay.values()) if (n > policy.dailyCap) violations++
}
const [sent] = await queryRows<{ n: number }>(
  db,
  sql`select count(*)::int as n from outbound_messages where status = 'sent'`,
)
const delivered = [...deliveries.values()].reduce((n, t) => n + t.length, 0)
// Every delivery must be exactly one row marked sent.
if (sent!.n !== delivered) duplicates += Math.abs(delivered - sent!.n)
const simulatedHours = (last - START.getTime()) / 3600_000
const theoreticalHours = (scheduleFinish(perAccount, policy, START, 0) - START.getTime()) / 3600_000
const expectedHours = (scheduleFinish(perAccount, policy, START, 0.5) - START.getTime()) / 3600_000

process.stdout.write(
  JSON.stringify({
    messages: delivered,
    accounts: ACCOUNTS,
    simulated_hours: Number(simulatedHours.toFixed(2)),
    theoretical_min_hours: Number(theoreticalHours.toFixed(2)),
    ratio: Number((simulatedHours / theoreticalHours).toFixed(4)),
    violations,
    duplicates,
    wall_seconds: Number(wallSeconds.toFixed(1)),
    expected_pace_hours: Number(expectedHours.toFixed(2)),
    ratio_to_expected_pace: Number((simulatedHours / expectedHours).toFixed(4)),
    daily_cap: policy.dailyCap,
    mean_gap_seconds: Number((gapSum / Math.max(1, gaps) / 1000).toFixed(2)),
  }) + '\n',
)
await database.close()
