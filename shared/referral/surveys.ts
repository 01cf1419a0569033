// The one-question survey after a purchase: "how likely are you to recommend us to a friend?" (0–10).
import { and, desc, eq, gte, isNotNull, notInArray, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { isUniqueViolation } from '../db/errors'
import { conflict, DomainError, notFound } from '../errors'
import { orders } from '../db/schema/orders'
import { recordMemberEvent } from '../members/events'
import { surveyResponses, type SurveyResponse } from '../db/schema/referral'

export const SURVEY_QUESTION = '您有多大可能把我们推荐给朋友？（0–10 分）'
/** A purchase older than this no longer prompts the survey. */
const PROMPT_DAYS = 30

export const surveyAnswerSchema = z.object({
  orderId: z.number().int().positive().optional(),
  score: z.number().int().min(0, '评分为 0–10 分').max(10, '评分为 0–10 分'),
  comment: z.string().trim().max(500).optional(),
})
export type SurveyAnswer = z.infer<typeof surveyAnswerSchema>

/** NPS bands: 9–10 promoters, 7–8 passives, 0–6 detractors. */
export function npsBand(score: number): 'promoter' | 'passive' | 'detractor' {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor'
}

export async function answerSurvey(
  db: Db,
  input: SurveyAnswer & { memberId: number; channel: 'mp' | 'chat'; at: Date },
): Promise<SurveyResponse> {
  const answer = surveyAnswerSchema.parse(input)
  try {
    return await db.transaction(async (tx) => {
      let orderNo: string | null = null
      if (answer.orderId !== undefined) {
        const [order] = await tx
          .select({ memberId: orders.memberId, paidAt: orders.paidAt, orderNo: orders.orderNo })
          .from(orders)
          .where(eq(orders.id, answer.orderId))
        if (!order || order.memberId !== input.memberId) throw notFound('订单', 'order_not_found')
        if (!order.paidAt) throw new DomainError('order_not_paid', '订单尚未支付，暂不能评价', 409)
        orderNo = order.orderNo
      }
      const [row] = await tx
        .insert(surveyResponses)
        .values({
          memberId: input.memberId,
          orderId: answer.orderId ?? null,
          score: answer.score,
          comment: answer.comment ?? null,
          channel: input.channel,
          answeredAt: input.at,
        })
        .returning()
      await recordMemberEvent(tx as unknown as Db, {
        memberId: input.memberId,
        type: 'survey_answered',
        occurredAt: input.at,
        payload: {
          score: answer.score,
          band: npsBand(answer.score),
          orderId: answer.orderId ?? null,
          orderNo,
          channel: input.channel,
        },
        sourceKey: `survey:${row!.id}`,
      })
      return row!
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('survey_already_answered', '这笔订单已经评价过了')
    throw err
  }
}

/** The purchase to ask about: the member's latest paid order of the last 30 days with no answer yet. */
export async function pendingSurvey(db: Db, memberId: number, at: Date) {
  const since = new Date(at.getTime() - PROMPT_DAYS * 86_400_000)
  const [order] = await db
    .select({ orderId: orders.id, orderNo: orders.orderNo, paidAt: orders.paidAt })
    .from(orders)
    .where(
      and(
        eq(orders.memberId, memberId),
        isNotNull(orders.paidAt),
        gte(orders.paidAt, since),
        notInArray(orders.status, ['cancelled', 'refunded']),
        sql`not exists (select 1 from survey_responses s where s.order_id = ${orders.id})`,
      ),
    )
    .orderBy(desc(orders.paidAt))
    .limit(1)
  if (!order) return null
  return {
    question: SURVEY_QUESTION,
    orderId: order.orderId,
    orderNo: order.orderNo,
    paidAt: order.paidAt!.toISOString(),
  }
}
