// Mini-program subscribe messages: members who accept a template in the mini-program leave consents
// (one message each); a run's recipients without a chat contact on their advisor account are sent one
// through WeChat, using a consent up. At most once: a recipient is marked `sending` before the call,
// and one left `sending` by a crash is marked failed, never sent again.
import { and, eq, gt, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Clock } from '../clock'
import { queryRows, type Db } from '../db/client'
import type { Logger } from '../logger'
import { recordMemberEvent } from '../members/events'
import { subscribeConsents } from '../db/schema/campaigns'
import type { MiniProgramApi } from '../wechat/mini-program'

export const consentInputSchema = z.object({
  /** Template ids the member accepted in wx.requestSubscribeMessage (answer "accept"). */
  accepted: z.array(z.string().min(1).max(64)).min(1).max(20),
})

/** Each accepted template allows one more message. */
export async function recordSubscribeConsents(db: Db, memberId: number, templateIds: string[], at: Date) {
  const counts = new Map<string, number>()
  for (const id of templateIds) counts.set(id, (counts.get(id) ?? 0) + 1)
  for (const [templateId, n] of counts) {
    await db
      .insert(subscribeConsents)
      .values({ memberId, templateId, remaining: n, updatedAt: at })
      .onConflictDoUpdate({
        target: [subscribeConsents.memberId, subscribeConsents.templateId],
        set: { remaining: sql`${subscribeConsents.remaining} + ${n}`, updatedAt: at },
      })
  }
  return db
    .select({ templateId: subscribeConsents.templateId, remaining: subscribeConsents.remaining })
    .from(subscribeConsents)
    .where(and(eq(subscribeConsents.memberId, memberId), gt(subscribeConsents.remaining, 0)))
}

export interface SubscribeDeliveryDeps {
  db: Db
  clock: Clock
  logger: Logger
  client: Pick<MiniProgramApi, 'deliverSubscribeMessage'>
  miniprogramState?: 'developer' | 'trial' | 'formal'
}

/** A recipient left `sending` longer than this was interrupted mid-call. */
const SENDING_TIMEOUT_MS = 10 * 60_000

interface Claimed {
  run_id: number
  member_id: number
  subscribe_data: Record<string, { value: string }>
  template_id: string
  page: string | null
  openid: string | null
}

/** Send up to `limit` pending subscribe messages. */
export async function sendDueSubscribeMessages(deps: SubscribeDeliveryDeps, limit = 100) {
  const { db, clock } = deps
  const now = clock.now()
  const abandoned = await queryRows<{ run_id: number }>(
    db,
    sql`update campaign_recipients set subscribe_status = 'failed', subscribe_error = 'interrupted while sending; not sent again'
        where subscribe_status = 'sending' and subscribe_sent_at < ${new Date(now.getTime() - SENDING_TIMEOUT_MS).toISOString()}::timestamptz
        returning run_id`,
  )
  const claimed = await queryRows<Claimed>(
    db,
    sql`with due as (
          select r.run_id, r.member_id from campaign_recipients r join campaign_runs ru on ru.id = r.run_id
          where r.subscribe_status = 'pending' and ru.status <> 'cancelled'
          order by r.run_id, r.member_id limit ${limit} for update of r skip locked),
        claimed as (
          update campaign_recipients r set subscribe_status = 'sending', subscribe_sent_at = ${now.toISOString()}::timestamptz
          from due where r.run_id = due.run_id and r.member_id = due.member_id
          returning r.run_id, r.member_id, r.subscribe_data)
        select c.run_id, c.member_id, c.subscribe_data, ca.subscribe->>'templateId' as template_id, ca.subscribe->>'page' as page,
          (select i.value from member_identities i where i.member_id = c.member_id and i.kind = 'mp_openid' order by i.id desc limit 1) as openid
        from claimed c join campaign_runs ru on ru.id = c.run_id join campaigns ca on ca.id = ru.campaign_id`,
  )
  let sent = 0
  let failed = 0
  let retry = 0
  for (const row of claimed) {
    const key = sql`run_id = ${row.run_id} and member_id = ${row.member_id}`
    const finish = (status: 'sent' | 'failed' | 'pending', error: string | null, at: Date | null) =>
      db.execute(
        sql`update campaign_recipients set subscribe_status = ${status}, subscribe_error = ${error},
            subscribe_sent_at = ${at ? at.toISOString() : null}::timestamptz where ${key}`,
      )
    if (!row.openid) {
      await finish('failed', 'no_openid', null)
      failed++
      continue
    }
    const used = await db
      .update(subscribeConsents)
      .set({ remaining: sql`${subscribeConsents.remaining} - 1`, updatedAt: now })
      .where(
        and(
          eq(subscribeConsents.memberId, row.member_id),
          eq(subscribeConsents.templateId, row.template_id),
          gt(subscribeConsents.remaining, 0),
        ),
      )
      .returning({ remaining: subscribeConsents.remaining })
    if (used.length === 0) {
      await finish('failed', 'no_subscribe_consent', null)
      failed++
      continue
    }
    const result = await deps.client.deliverSubscribeMessage({
      touser: row.openid,
      templateId: row.template_id,
      ...(row.page ? { page: row.page } : {}),
      data: row.subscribe_data,
      ...(deps.miniprogramState ? { miniprogramState: deps.miniprogramState } : {}),
      lang: 'zh_CN',
    })
    if (result.ok) {
      const at = clock.now()
      await finish('sent', null, at)
      await recordMemberEvent(db, {
        memberId: row.member_id,
        type: 'campaign_delivered',
        occurredAt: at,
        payload: { runId: row.run_id, channel: 'subscribe' },
        sourceKey: `campaign:${row.run_id}:${row.member_id}`,
      })
      sent++
      continue
    }
    if (result.consentGone) {
      // WeChat says none is left (the member changed the setting): trust it over our count.
      await db
        .update(subscribeConsents)
        .set({ remaining: 0, updatedAt: now })
        .where(
          and(
            eq(subscribeConsents.memberId, row.member_id),
            eq(subscribeConsents.templateId, row.template_id),
          ),
        )
    } else if (result.retryable) {
      // Refused before sending: the consent was not used; the message waits for the next round.
      await db
        .update(subscribeConsents)
        .set({ remaining: sql`${subscribeConsents.remaining} + 1`, updatedAt: now })
        .where(
          and(
            eq(subscribeConsents.memberId, row.member_id),
            eq(subscribeConsents.templateId, row.template_id),
          ),
        )
      await finish('pending', `${result.errcode} ${result.errmsg}`, null)
      retry++
      continue
    }
    await finish('failed', `${result.errcode} ${result.errmsg}`.slice(0, 500), null)
    failed++
  }
  if (claimed.length || abandoned.length)
    deps.logger.info({ sent, failed, retry, abandoned: abandoned.length }, 'subscribe messages sent')
  return { sent, failed, retry, abandoned: abandoned.length }
}
