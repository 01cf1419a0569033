// The one-question survey after a purchase, in the mini-program.
import { z } from 'zod'
import {
  answerSurvey,
  pendingSurvey,
  SURVEY_QUESTION,
  surveyAnswerSchema,
} from '../../../shared/referral/surveys'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpSurvey(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/surveys/pending',
    {
      summary: '待回答的购后调查（最近一笔未评价的订单）',
      response: z.object({
        question: z.string(),
        survey: z.object({ orderId: z.number().int(), orderNo: z.string(), paidAt: z.string() }).nullable(),
      }),
    },
    async (_input, ctx) => {
      const pending = await pendingSurvey(deps.db, ctx.state.memberId!, deps.clock.now())
      return {
        question: SURVEY_QUESTION,
        survey: pending
          ? { orderId: pending.orderId, orderNo: pending.orderNo, paidAt: pending.paidAt }
          : null,
      }
    },
  )

  api.post(
    '/surveys',
    {
      summary: '回答购后调查：推荐意愿 0–10 分',
      body: surveyAnswerSchema.strict(),
      status: 201,
      response: z.object({ id: z.number().int(), score: z.number().int(), answeredAt: z.string() }),
    },
    async ({ body }, ctx) => {
      const r = await answerSurvey(deps.db, {
        ...body,
        memberId: ctx.state.memberId!,
        channel: 'mp',
        at: deps.clock.now(),
      })
      return { id: r.id, score: r.score, answeredAt: r.answeredAt.toISOString() }
    },
  )
}
