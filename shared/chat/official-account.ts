// The official account (公众号) joins the member record: a follow, an unfollow, a scanned code, a menu
// click or a message, each opened and checked by the push codec, becomes the member it is (by its
// oa_openid, and its unionid when WeChat gives one), an event on their timeline, and — for a follow —
// the "follow the official account" task with its points. Menu clicks and messages are answered by the
// same keyword replies as the account pool. Everything a push changes is written in one transaction,
// keyed by the push (MsgId, or FromUserName + CreateTime for events), so WeChat's retries of the same
// push change nothing and get the same passive reply.
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { completeTask } from '../points/tasks'
import { recordMemberEvent } from '../members/events'
import { resolveIdentity, type IdentityRef } from '../members/identity'
import { mergeMembers } from '../members/merge'
import { memberEvents, memberIdentities, members, type MemberEventType } from '../db/schema/members'
import type { OaPush } from '../wechat/oa-push'
import { bindCodeIn } from './binding'
import { recordFeedbackTicket } from './tickets'
import { keywordAnswer, loadKeywordReplies, matchKeyword, type KeywordReply } from './keyword-replies'
import { botAccounts, chatBindCodes } from '../db/schema/chat'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export const FOLLOW_TASK_CODE = 'follow_official_account'

/** Pushes that are WeChat's notices or background reports, not something the member did: acknowledged only. */
const systemEvents = new Set(['LOCATION', 'TEMPLATESENDJOBFINISH', 'MASSSENDJOBFINISH'])

/** What a QR code's scene says: a channel (store counter, parcel card…) or a member's one-time bind code. */
export type OaScene = { kind: 'channel'; channel: string } | { kind: 'bind'; code: string }

/** Pure: the scene of a subscribe (`qrscene_<scene>`) or SCAN (`<scene>`) EventKey. */
export function sceneOf(eventKey: string | undefined): OaScene | null {
  const scene = (eventKey ?? '').replace(/^qrscene_/, '').trim()
  if (!scene) return null
  const bind = /^bind:(\d{6})$/.exec(scene)
  if (bind) return { kind: 'bind', code: bind[1]! }
  return { kind: 'channel', channel: scene.replace(/^channel:/, '').slice(0, 64) }
}

/** Pure: the idempotency key of a push. WeChat retries a push with the same MsgId or sender + CreateTime. */
export function pushKey(push: OaPush): string {
  const msgId = 'MsgId' in push ? push.MsgId : undefined
  if (msgId) return `oa:msg:${msgId}`
  const event = 'Event' in push ? push.Event : push.MsgType
  return `oa:event:${push.FromUserName}:${push.CreateTime}:${event}`
}

export interface OaPushOutcome {
  /** The text of the passive reply; null = answer `success`. */
  reply: string | null
  memberId: number | null
  /** The same push was handled before (a WeChat retry): nothing changed. */
  duplicate: boolean
  /** Points the follow task credited now (0 when none). */
  pointsCredited: number
}

export interface OaPushOptions {
  at: Date
  /** Fixed rules (tests); by default the stored keyword replies. */
  rules?: readonly KeywordReply[]
}

/** Apply one opened push to the member record; returns what to answer. */
export async function handleOaPush(db: Db, push: OaPush, options: OaPushOptions): Promise<OaPushOutcome> {
  const key = pushKey(push)
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`)
    const [seen] = await tx
      .select({ memberId: memberEvents.memberId, payload: memberEvents.payload })
      .from(memberEvents)
      .where(eq(memberEvents.sourceKey, key))
    if (seen) {
      const reply = (seen.payload as { reply?: unknown }).reply
      return {
        reply: typeof reply === 'string' ? reply : null,
        memberId: seen.memberId,
        duplicate: true,
        pointsCredited: 0,
      }
    }
    // The keyword replies in force now: an operator's saved change answers the next push.
    const rules = options.rules ?? (await loadKeywordReplies(tx as unknown as Db))
    return applyPush(tx, push, key, { ...options, rules })
  })
}

interface Effect {
  type: MemberEventType
  payload: Record<string, unknown>
  reply: string | null
  pointsCredited?: number
}

async function applyPush(
  tx: Tx,
  push: OaPush,
  key: string,
  options: Required<OaPushOptions>,
): Promise<OaPushOutcome> {
  const openid = push.FromUserName
  const event = push.MsgType === 'event' && 'Event' in push ? push.Event : null
  const at = options.at
  const occurredAt = new Date(Number(push.CreateTime) * 1000)

  if (event && systemEvents.has(event))
    return { reply: null, memberId: null, duplicate: false, pointsCredited: 0 }

  if (event === 'unsubscribe') {
    // Nobody to record it on unless they were known: an unfollow alone makes no member.
    const [holder] = await tx
      .select({ memberId: memberIdentities.memberId })
      .from(memberIdentities)
      .where(and(eq(memberIdentities.kind, 'oa_openid'), eq(memberIdentities.value, openid)))
    if (!holder) return { reply: null, memberId: null, duplicate: false, pointsCredited: 0 }
    await recordMemberEvent(tx as unknown as Db, {
      memberId: holder.memberId,
      type: 'oa_unfollowed',
      occurredAt,
      recordedAt: at,
      sourceKey: key,
      payload: { openid, reply: null },
    })
    return { reply: null, memberId: holder.memberId, duplicate: false, pointsCredited: 0 }
  }

  const eventKey = 'EventKey' in push ? push.EventKey : undefined
  const scene = event === 'subscribe' || event === 'SCAN' ? sceneOf(eventKey) : null
  const textBindCode = push.MsgType === 'text' && 'Content' in push ? bindCodeIn(push.Content) : null
  const bindCode = scene?.kind === 'bind' ? scene.code : textBindCode

  let memberId = await memberOf(tx, push, at)
  let bindReply: string | null = null
  if (bindCode) {
    const bound = await bindOpenidByCode(tx, { openid, code: bindCode, at })
    if (bound.ok) memberId = bound.memberId
    bindReply = bound.reply
  }

  const channel = scene?.kind === 'channel' ? scene.channel : undefined
  let effect: Effect
  if (event === 'subscribe') {
    const points = await creditFollowTask(tx, memberId, at)
    const welcome = points ? `感谢关注！「关注公众号」任务已完成，${points} 积分已到账。` : '感谢关注！'
    effect = {
      type: 'oa_followed',
      payload: { openid, ...(channel ? { channel } : {}), pointsCredited: points },
      reply: [bindReply, `${welcome}回复「积分」「会员卡」「订单」可随时查询。`].filter(Boolean).join('\n'),
      pointsCredited: points,
    }
  } else if (event === 'SCAN') {
    effect = {
      type: 'oa_message',
      payload: { kind: 'scan', openid, ...(channel ? { channel, title: `扫码：${channel}` } : {}) },
      reply: bindReply,
    }
  } else if (event === 'CLICK') {
    const rule =
      options.rules.find((r) => r.code === eventKey) ??
      (eventKey ? matchKeyword(options.rules, eventKey) : null)
    effect = {
      type: 'oa_message',
      payload: { kind: 'click', openid, eventKey: eventKey ?? '', title: `菜单：${eventKey ?? ''}` },
      reply: rule ? await answerRule(tx, rule, memberId, eventKey ?? rule.code, at) : null,
    }
  } else if (push.MsgType === 'text' && 'Content' in push) {
    const rule = textBindCode ? null : matchKeyword(options.rules, push.Content)
    effect = {
      type: 'oa_message',
      payload: { kind: 'text', openid, direction: 'in', text: push.Content.slice(0, 2000) },
      reply: bindReply ?? (rule ? await answerRule(tx, rule, memberId, push.Content, at) : null),
    }
  } else {
    effect = {
      type: 'oa_message',
      payload: { kind: event ? event.toLowerCase() : push.MsgType, openid },
      reply: null,
    }
  }

  await recordMemberEvent(tx as unknown as Db, {
    memberId,
    type: effect.type,
    occurredAt,
    recordedAt: at,
    sourceKey: key,
    payload: { ...effect.payload, reply: effect.reply },
  })
  return { reply: effect.reply, memberId, duplicate: false, pointsCredited: effect.pointsCredited ?? 0 }
}

/**
 * The member a push comes from, by the identity rules of the members domain: the strongest known
 * identity decides; a follower known only by this openid who turns out (by unionid) to be an existing
 * member is merged into them, recorded and undoable.
 */
async function memberOf(tx: Tx, push: OaPush, at: Date): Promise<number> {
  const identities: IdentityRef[] = [{ kind: 'oa_openid', value: push.FromUserName }]
  const unionid = 'UnionId' in push ? push.UnionId : undefined
  if (unionid) identities.push({ kind: 'unionid', value: unionid })
  const resolution = await resolveIdentity(tx as unknown as Db, {
    identities,
    source: 'official_account',
    at,
  })
  for (const conflict of resolution.conflicts) {
    if (conflict.kind !== 'oa_openid') continue
    await absorbFollower(
      tx,
      resolution.member.id,
      conflict.memberId,
      push.FromUserName,
      'oa_unionid_matched',
      at,
    )
  }
  return resolution.member.id
}

/**
 * Move the openid to `memberId`. When its holder is known by nothing else (a follower the system met
 * only through the official account), that holder is merged into `memberId`. Returns false when the
 * openid belongs to a member with other identities: that is for an operator to merge.
 */
async function absorbFollower(
  tx: Tx,
  memberId: number,
  holderId: number,
  openid: string,
  reason: string,
  at: Date,
): Promise<boolean> {
  if (holderId === memberId) return true
  const others = await tx
    .select({ kind: memberIdentities.kind })
    .from(memberIdentities)
    .where(eq(memberIdentities.memberId, holderId))
  if (!others.every((o) => o.kind === 'oa_openid')) return false
  await mergeMembers(tx as unknown as Db, { survivorId: memberId, mergedId: holderId, reason, at })
  await tx
    .update(memberIdentities)
    .set({ memberId, verified: true })
    .where(and(eq(memberIdentities.kind, 'oa_openid'), eq(memberIdentities.value, openid)))
  return true
}

/** A one-time code from the mini-program ("talk to my advisor"), sent as a message or in a QR scene. */
async function bindOpenidByCode(
  tx: Tx,
  input: { openid: string; code: string; at: Date },
): Promise<{ ok: true; memberId: number; reply: string } | { ok: false; reply: string }> {
  const [row] = await tx
    .select()
    .from(chatBindCodes)
    .where(and(eq(chatBindCodes.code, input.code), isNull(chatBindCodes.usedAt)))
    .for('update')
  if (!row) return { ok: false, reply: '绑定码无效，请在小程序「我的顾问」重新获取。' }
  if (row.expiresAt.getTime() <= input.at.getTime())
    return { ok: false, reply: '绑定码已过期，请在小程序「我的顾问」重新获取。' }
  const [target] = await tx
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.id, row.memberId), isNull(members.mergedIntoId)))
  if (!target) return { ok: false, reply: '绑定码无效，请在小程序「我的顾问」重新获取。' }
  const [holder] = await tx
    .select({ memberId: memberIdentities.memberId })
    .from(memberIdentities)
    .where(and(eq(memberIdentities.kind, 'oa_openid'), eq(memberIdentities.value, input.openid)))
  if (
    holder &&
    !(await absorbFollower(tx, target.id, holder.memberId, input.openid, 'oa_bind_code', input.at))
  )
    return { ok: false, reply: '该微信已绑定其他会员，请联系客服核实。' }
  if (!holder)
    await tx.insert(memberIdentities).values({
      memberId: target.id,
      kind: 'oa_openid',
      value: input.openid,
      verified: true,
      createdAt: input.at,
    })
  await tx
    .update(chatBindCodes)
    .set({ usedAt: input.at, usedBy: `oa_openid:${input.openid}` })
    .where(eq(chatBindCodes.id, row.id))
  return { ok: true, memberId: target.id, reply: '绑定成功，您的公众号已关联会员账户。' }
}

/** The follow task's points, credited at most once per member; 0 when already credited or not offered. */
async function creditFollowTask(tx: Tx, memberId: number, at: Date): Promise<number> {
  try {
    const done = await completeTask(
      tx as unknown as Db,
      { memberId, code: FOLLOW_TASK_CODE, verified: true },
      at,
    )
    return done.points + done.bonus
  } catch (err) {
    if (err instanceof DomainError && ['task_limit_reached', 'task_not_found'].includes(err.code)) return 0
    throw err
  }
}

async function answerRule(
  tx: Tx,
  rule: KeywordReply,
  memberId: number,
  text: string,
  at: Date,
): Promise<string> {
  const [member] = await tx
    .select({ advisorAccountId: members.advisorAccountId, advisor: botAccounts.displayName })
    .from(members)
    .leftJoin(botAccounts, eq(botAccounts.id, members.advisorAccountId))
    .where(eq(members.id, memberId))
  const advisor = member?.advisor ?? '专属顾问'
  if (rule.code === 'human') {
    if (!member?.advisorAccountId) return '请在小程序「我的顾问」添加您的专属顾问，顾问会一对一为您服务。'
    await recordFeedbackTicket(tx as unknown as Db, {
      memberId,
      accountId: member.advisorAccountId,
      category: 'handoff',
      text,
      matched: text.trim(),
      at,
    })
  }
  return keywordAnswer(tx as unknown as Db, rule, memberId, at, advisor)
}
