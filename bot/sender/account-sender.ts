// One account's paced sender. Each step: recover claims a crashed process left, ask the pacing rules
// (shared/chat/pacing.ts) which action kinds may go now, claim the next due message among them (FOR
// UPDATE SKIP LOCKED), check opt-out and the contact, take the pacing slot and mark it 'sending', hand
// it to WeChat, mark it sent. Every risky action goes through here: 1:1 messages, replies, group
// posts, links and cards, friend acceptance, invitations and the groups they open. A step returns
// when the account should be looked at again; the loop (or a simulation) waits.
import { eq, sql } from 'drizzle-orm'
import { getAccount } from '../../shared/chat/accounts'
import { banAccount } from '../../shared/chat/assignment'
import { isLimitError } from '../../shared/chat/signals'
import {
  countSiblings,
  recordGroupJoin,
  registerSiblingGroup,
  siblingTopic,
  siblingWithRoom,
  type ChatGroup,
} from '../../shared/chat/groups'
import { recordChatMessage } from '../../shared/chat/interactions'
import {
  claimNextDue,
  clearSendFailures,
  earliestQueued,
  enqueueOutbound,
  markAttemptFailed,
  markCompanionSent,
  markDeferred,
  markLimited,
  markSending,
  markSent,
  markSkipped,
  markUndeliverable,
  recordSendFailure,
  recoverExpiredClaims,
} from '../../shared/chat/outbox'
import {
  accountEnv,
  accountPacingState,
  accountPolicy,
  actionKinds,
  latestPause,
  nextActionTime,
  recordAction,
  replyDelayMs,
  type ActionKind,
  type PacingEnv,
  type PacingPolicy,
  type PacingState,
} from '../../shared/chat/pacing'
import { botAccounts, chatGroups, type OutboundMessage } from '../../shared/db/schema/chat'
import type { Clock } from '../../shared/clock'
import { queryRows, type Db } from '../../shared/db/client'
import type { Logger } from '../../shared/logger'
import type { SendTransport } from './transport'

export interface SenderDeps {
  db: Db
  clock: Clock
  logger: Logger
  /** The process holding the account's lease. */
  owner: string
  random?: () => number
  /** How long a claim is held before another process may recover it. */
  claimTtlMs?: number
  /** Something was queued for this account (a welcome after an acceptance): look again by then. */
  onQueued?: (at: Date) => void
}

export type StepAction =
  | 'sent'
  | 'skipped'
  | 'undeliverable'
  | 'retry'
  | 'dead'
  | 'limited'
  | 'paused'
  | 'waiting'
  | 'idle'
  | 'lease_lost'
  | 'stopped'

export interface StepResult {
  action: StepAction
  /** When to step again; null: nothing queued (look again after the poll interval) or stopped. */
  wakeAt: Date | null
  messageId?: number
}

export { isLimitError }

const RECOVER_EVERY_MS = 60_000
const INVITE_WAIT_MS = 30 * 60_000

export class AccountSender {
  private lastRecovery = -Infinity
  private readonly random: () => number
  private readonly claimTtlMs: number

  constructor(
    private readonly deps: SenderDeps,
    readonly accountId: number,
    private readonly transport: SendTransport,
  ) {
    this.random = deps.random ?? Math.random
    this.claimTtlMs = deps.claimTtlMs ?? 2 * 60_000
  }

  async step(): Promise<StepResult> {
    const { db, clock } = this.deps
    const now = clock.now()
    const account = await getAccount(db, this.accountId)
    if (account.state === 'banned' || account.state === 'disabled') return { action: 'stopped', wakeAt: null }
    if (account.leaseOwner !== this.deps.owner || !account.leaseExpiresAt || account.leaseExpiresAt <= now) {
      return { action: 'lease_lost', wakeAt: null }
    }
    if (now.getTime() - this.lastRecovery >= RECOVER_EVERY_MS) {
      const recovered = await recoverExpiredClaims(db, this.accountId, now)
      if (recovered.requeued || recovered.interrupted) {
        this.deps.logger.warn({ accountId: this.accountId, ...recovered }, 'expired claims recovered')
      }
      this.lastRecovery = now.getTime()
    }
    const policy = accountPolicy(account)
    const state = accountPacingState(account)
    const env = accountEnv(account, now)
    if (account.state === 'limited' && !latestPause(state, now)) {
      await db
        .update(botAccounts)
        .set({ state: 'online', pausedUntil: null, pauseReason: null })
        .where(eq(botAccounts.id, this.accountId))
    }
    const times = new Map(actionKinds.map((k) => [k, nextActionTime(state, policy, k, now, env)] as const))
    const ready = actionKinds.filter((k) => times.get(k)! <= now)
    if (ready.length > 0) {
      const claimed = await claimNextDue(db, {
        accountId: this.accountId,
        owner: this.deps.owner,
        actions: ready,
        now,
        claimTtlMs: this.claimTtlMs,
      })
      if (claimed) return this.deliver(claimed, state, policy, env, times, now)
    }
    const queued = await earliestQueued(db, this.accountId)
    const candidates = Object.entries(queued).map(([k, at]) =>
      Math.max(times.get(k as ActionKind)!.getTime(), at.getTime()),
    )
    if (candidates.length === 0) return { action: 'idle', wakeAt: null }
    const soonest = Math.min(...candidates)
    // Something due but locked by another claimer: look again shortly.
    return { action: 'waiting', wakeAt: new Date(soonest <= now.getTime() ? now.getTime() + 1000 : soonest) }
  }

  private async deliver(
    message: OutboundMessage,
    state: PacingState,
    policy: PacingPolicy,
    env: PacingEnv,
    times: Map<ActionKind, Date>,
    now: Date,
  ): Promise<StepResult> {
    const { db } = this.deps
    const log = this.deps.logger.child({ accountId: this.accountId, outboundId: message.id })
    const done = (action: StepAction, wakeAt: Date | null = now): StepResult => ({
      action,
      wakeAt,
      messageId: message.id,
    })

    let contactId: string | null = null
    if (message.memberId !== null && message.kind !== 'group') {
      const [member] = await queryRows<{
        opted_out_at: unknown
        merged_into_id: unknown
        contact: string | null
      }>(
        db,
        sql`select m.opted_out_at, m.merged_into_id,
          (select i.value from member_identities i
           where i.member_id = m.id and i.kind = 'chat_contact' and i.value like ${`${this.accountId}:%`}
           order by i.created_at desc, i.id desc limit 1) as contact
        from members m where m.id = ${message.memberId}`,
      )
      if (!member || member.merged_into_id !== null) {
        await markSkipped(db, message.id, 'member_gone: 会员已合并或不存在')
        return done('skipped')
      }
      if (member.opted_out_at !== null && message.kind !== 'friend_accept') {
        await markSkipped(db, message.id, 'opted_out: 会员已退订')
        return done('skipped')
      }
      contactId = member.contact ? member.contact.slice(String(this.accountId).length + 1) : null
      if (!contactId && message.kind !== 'friend_accept') {
        await markUndeliverable(db, message.id, 'not_a_friend: 会员不是该顾问账号的好友')
        return done('undeliverable')
      }
    }
    let group: ChatGroup | null | undefined = null
    if (message.chatGroupId !== null) {
      ;[group] = await db.select().from(chatGroups).where(eq(chatGroups.id, message.chatGroupId))
      if (!group || group.accountId !== this.accountId) {
        await markUndeliverable(db, message.id, 'group_not_found: 群不存在或不属于该账号')
        return done('undeliverable')
      }
    }

    // An invitation into a full group opens the next one: that is a group creation, paced as one.
    let target: ChatGroup | null = null
    if (message.kind === 'invite') {
      target = group!.memberCount < group!.capacity ? group! : await siblingWithRoom(db, group!)
      if (!target && times.get('group_create')! > now) {
        await markDeferred(db, message.id, times.get('group_create')!, 'waiting: 等待开新群的节奏间隔')
        return done('waiting', times.get('group_create')!)
      }
    }
    let next = recordAction(state, policy, message.action, now, this.random, env)
    if (message.kind === 'invite' && !target) {
      next = recordAction(next, policy, 'group_create', now, this.random, env)
    }
    if (
      !(await markSending(db, { message, owner: this.deps.owner, now, claimTtlMs: this.claimTtlMs, next }))
    ) {
      return done('waiting')
    }
    const wakeAt = this.wakeAfter(next, policy, env, now)
    const card = message.payload?.link || message.payload?.miniProgram ? message.payload : null
    try {
      if (card) {
        if (!this.transport.sendCard) throw new Error('this puppet cannot send links or cards')
        await this.transport.sendCard(group ? { roomId: group.roomId } : { contactId: contactId! }, card)
      } else if (message.kind === 'direct') await this.transport.sayToContact(contactId!, message.text)
      else if (message.kind === 'friend_accept') await this.acceptFriend(message, now)
      else if (message.kind === 'group' && message.source === 'announcement')
        await this.transport.announce(group!.roomId, message.text)
      else if (message.kind === 'group') await this.transport.sayInRoom(group!.roomId, message.text)
      else if ((await this.invite(message, target, group!, contactId!, now)) === 'deferred') {
        await markDeferred(
          db,
          message.id,
          new Date(now.getTime() + INVITE_WAIT_MS),
          'waiting: 群已满，等待第二位受邀会员一起开新群',
        )
        return done('waiting', wakeAt)
      }
    } catch (err) {
      const text = String((err as Error)?.message ?? err).slice(0, 500)
      if (isLimitError(text)) {
        const at = this.deps.clock.now()
        const { until, repeated } = await markLimited(db, message, text, at, this.random())
        log.warn(
          { until, action: message.action, error: text },
          'account limited by WeChat: this kind paused',
        )
        if (repeated) return this.moveMembers(`多次被微信限制（${message.action}）：${text}`, at, log)
        return done('limited', now)
      }
      const at = this.deps.clock.now()
      const outcome = await markAttemptFailed(db, message, policy, text, at)
      log.warn({ error: text, attempts: message.attempts, outcome }, 'send failed')
      const signal = await recordSendFailure(db, this.accountId, text, at, this.random())
      if (signal.limited) {
        log.warn({ until: signal.until, failures: signal.failures }, 'sends keep failing: account limited')
        if (signal.repeated) return this.moveMembers(`多次被微信限制（连续发送失败）：${text}`, at, log)
        return done('limited', now)
      }
      return done(outcome, wakeAt)
    }
    await markSent(db, message.id, now)
    if ((state.failedInRow ?? 0) > 0) await clearSendFailures(db, this.accountId)
    if (message.kind === 'direct' && !card) {
      await recordChatMessage(db, {
        memberId: message.memberId!,
        accountId: this.accountId,
        contactId,
        direction: 'out',
        messageType: 'text',
        text: message.text,
        sourceKey: `outbox:${message.id}`,
        at: now,
        origin: message.source,
      })
    }
    return done('sent', await this.nextDue(next, policy, env, now))
  }

  /** WeChat keeps refusing: the account counts as limited for good and its members move, as on a ban. */
  private async moveMembers(reason: string, at: Date, log: Logger): Promise<StepResult> {
    const moved = await banAccount(this.deps.db, this.accountId, at, reason.slice(0, 500))
    log.error({ moved }, 'account repeatedly limited: members moved to other accounts')
    return { action: 'stopped', wakeAt: null }
  }

  /**
   * Add the member to the group, or to a sibling with room. When all are full a new group is opened;
   * WeChat needs two people besides the account to open one, so the next member waiting for the same
   * group goes in with them, and a lone invitee waits (deferred, no attempt used) for a companion.
   */
  private async invite(
    message: OutboundMessage,
    target: ChatGroup | null,
    group: ChatGroup,
    contactId: string,
    now: Date,
  ): Promise<'done' | 'deferred'> {
    const { db } = this.deps
    if (target) {
      await this.transport.addToRoom(target.roomId, contactId)
      return 'done'
    }
    const [companion] = await queryRows<{ id: number; member_id: number; contact: string }>(
      db,
      sql`select o.id, o.member_id, (
          select i.value from member_identities i
          where i.member_id = o.member_id and i.kind = 'chat_contact' and i.value like ${`${this.accountId}:%`}
          order by i.created_at desc, i.id desc limit 1) as contact
        from outbound_messages o
        join members m on m.id = o.member_id and m.merged_into_id is null and m.opted_out_at is null
        where o.account_id = ${this.accountId} and o.kind = 'invite' and o.status = 'queued'
          and o.chat_group_id = ${group.id} and o.id <> ${message.id}
        order by o.id
        limit 1
        for update of o skip locked`,
    )
    if (!companion?.contact) return 'deferred'
    const companionContact = companion.contact.slice(String(this.accountId).length + 1)
    const topic = siblingTopic(group.topic, (await countSiblings(db, group)) + 1)
    const roomId = await this.transport.createRoom([contactId, companionContact], topic)
    const opened = await registerSiblingGroup(db, group, roomId, topic, now)
    await recordGroupJoin(db, { group: opened, memberId: message.memberId!, contactId, at: now })
    await recordGroupJoin(db, {
      group: opened,
      memberId: Number(companion.member_id),
      contactId: companionContact,
      at: now,
    })
    await markCompanionSent(db, Number(companion.id), now)
    return 'done'
  }

  /** Accept the friend request; the welcome prepared with it is queued as a reply, with a human delay. */
  private async acceptFriend(message: OutboundMessage, now: Date): Promise<void> {
    const friendshipId = message.payload?.friendshipId
    if (!friendshipId || !this.transport.acceptFriendship)
      throw new Error('friend request cannot be accepted')
    await this.transport.acceptFriendship(friendshipId)
    if (!message.payload?.welcome || message.memberId === null) return
    const account = await getAccount(this.deps.db, this.accountId)
    const at = new Date(
      now.getTime() + replyDelayMs(message.payload.welcome, accountPolicy(account), this.random()),
    )
    await enqueueOutbound(this.deps.db, {
      dedupeKey: `welcome:${this.accountId}:${friendshipId}`,
      accountId: this.accountId,
      kind: 'direct',
      memberId: message.memberId,
      text: message.payload.welcome,
      source: 'welcome',
      notBefore: at,
      priority: 10,
    })
    this.deps.onQueued?.(at)
  }

  /** When the next queued action may go, by the state after this one (null: nothing queued). */
  private async nextDue(
    state: PacingState,
    policy: PacingPolicy,
    env: PacingEnv,
    now: Date,
  ): Promise<Date | null> {
    const queued = await earliestQueued(this.deps.db, this.accountId)
    let soonest = Infinity
    for (const [k, at] of Object.entries(queued)) {
      const allowed = nextActionTime(state, policy, k as ActionKind, now, env).getTime()
      soonest = Math.min(soonest, Math.max(allowed, at.getTime()))
    }
    return Number.isFinite(soonest) ? new Date(Math.max(soonest, now.getTime())) : null
  }

  private wakeAfter(state: PacingState, policy: PacingPolicy, env: PacingEnv, now: Date): Date {
    let soonest = Infinity
    for (const k of actionKinds)
      soonest = Math.min(soonest, nextActionTime(state, policy, k, now, env).getTime())
    return new Date(soonest)
  }
}
