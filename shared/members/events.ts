// Recording what members do: one stream that the timeline, the lifecycle and the segments read.
// Each event type has a typed payload (the fields other parts and the rules rely on; more may be
// stored); a recorded event moves the member's last-seen time and refreshes their stage.
import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { DomainError } from '../errors'
import { memberEvents, members, type MemberEvent, type MemberEventType } from '../db/schema/members'
import { refreshLifecycle } from './lifecycle'

const id = z.number().int().positive()
const fen = z.number().int().min(0)

/** The payload of each event type. Known fields are checked; extra fields are kept as they are. */
export const memberEventPayloads = {
  chat_message: z.looseObject({
    accountId: id.optional(),
    roomId: z.string().optional(),
    /** `in`: the member wrote to us; `out`: an advisor or the bot wrote to the member. */
    direction: z.enum(['in', 'out']).optional(),
    text: z.string().optional(),
  }),
  friend_added: z.looseObject({ accountId: id.optional() }),
  group_joined: z.looseObject({ groupId: id.optional(), roomId: z.string().optional() }),
  group_left: z.looseObject({ groupId: id.optional(), roomId: z.string().optional() }),
  product_view: z.looseObject({ productId: id.optional(), title: z.string().optional() }),
  cart_add: z.looseObject({
    productId: id.optional(),
    skuId: id.optional(),
    quantity: z.number().int().optional(),
  }),
  order_placed: z.looseObject({ orderNo: z.string().optional(), payFen: fen.optional() }),
  order_paid: z.looseObject({ orderNo: z.string().optional(), payFen: fen.optional() }),
  order_refunded: z.looseObject({ orderNo: z.string().optional(), refundFen: fen.optional() }),
  share: z.looseObject({
    target: z.string().optional(),
    channel: z.string().optional(),
    code: z.string().optional(),
  }),
  referral: z.looseObject({ refereeId: id.optional() }),
  /** A complaint is feedback with `sentiment: 'complaint'` (it still shows the member cares). */
  feedback: z.looseObject({
    sentiment: z.enum(['complaint', 'suggestion', 'praise']).optional(),
    text: z.string().optional(),
  }),
  check_in: z.looseObject({ streak: z.number().int().optional() }),
  points_changed: z.looseObject({ delta: z.number().int().optional(), balance: z.number().int().optional() }),
  tier_changed: z.looseObject({
    ladder: z.string().optional(),
    from: z.string().nullable().optional(),
    to: z.string().nullable().optional(),
  }),
  campaign_delivered: z.looseObject({
    campaignId: id.optional(),
    runId: id.optional(),
    title: z.string().optional(),
  }),
  profile_completed: z.looseObject({}),
  oa_followed: z.looseObject({ openid: z.string().optional(), channel: z.string().optional() }),
  oa_unfollowed: z.looseObject({ openid: z.string().optional() }),
  oa_message: z.looseObject({
    /** text, click, scan, or the push's own event/message type */
    kind: z.string().optional(),
    openid: z.string().optional(),
    text: z.string().optional(),
    eventKey: z.string().optional(),
    channel: z.string().optional(),
  }),
  store_visit: z.looseObject({ storeId: id.optional(), storeName: z.string().optional() }),
  survey_answered: z.looseObject({ surveyId: id.optional() }),
} satisfies Record<MemberEventType, z.ZodType>

export type MemberEventPayload<T extends MemberEventType> = z.input<(typeof memberEventPayloads)[T]>

export interface EventInput {
  memberId: number
  type: MemberEventType
  occurredAt: Date
  payload?: Record<string, unknown>
  /** Idempotency key of the source (message id, order number): a retried event is stored once. */
  sourceKey?: string
  /** When it is being recorded (the clock's now), if later than it happened; the stage is judged then. */
  recordedAt?: Date
}

/** Events that cannot change a member's stage or label: they skip the lifecycle refresh. */
const lifecycleNeutral = new Set<MemberEventType>(['points_changed', 'campaign_delivered', 'tier_changed'])

/**
 * Store an event once per source key, move the member's last-seen time, and bring their stage up to
 * date. Returns null for a repeat. A payload that contradicts its type's schema is refused (400).
 */
export async function recordMemberEvent(db: Db, input: EventInput): Promise<MemberEvent | null> {
  const parsed = memberEventPayloads[input.type].safeParse(input.payload ?? {})
  if (!parsed.success) {
    throw new DomainError(
      'invalid_event_payload',
      '事件内容不正确',
      400,
      parsed.error.issues.map((i) => ({
        path: ['payload', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    )
  }
  const [event] = await db
    .insert(memberEvents)
    .values({
      memberId: input.memberId,
      type: input.type,
      occurredAt: input.occurredAt,
      payload: parsed.data,
      sourceKey: input.sourceKey,
    })
    .onConflictDoNothing()
    .returning()
  if (!event) return null
  await db
    .update(members)
    .set({ lastSeenAt: sql`greatest(${members.lastSeenAt}, ${input.occurredAt.toISOString()}::timestamptz)` })
    .where(eq(members.id, input.memberId))
  if (!lifecycleNeutral.has(input.type)) {
    const at = input.recordedAt && input.recordedAt > input.occurredAt ? input.recordedAt : input.occurredAt
    await refreshLifecycle(db, input.memberId, at)
  }
  return event
}
