// Earning tasks in the mini-program: the list with progress, completing a task, the daily check-in.
import { z } from 'zod'
import { completeTask, memberTasks } from '../../../shared/points/tasks'
import { memberTaskSchema } from './responses'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const completionSchema = z.object({
  task: z.string(),
  points: z.number(),
  bonus: z.number(),
  streak: z.number().nullable(),
  balance: z.number(),
  doneInPeriod: z.number(),
  limit: z.number(),
})

export function registerMpTasks(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/tasks',
    { summary: '积分任务及我的完成进度（含连续签到天数）', response: z.array(memberTaskSchema) },
    (_input, ctx) => memberTasks(deps.db, ctx.state.memberId!, deps.clock.now()),
  )

  api.post(
    '/tasks/:code/complete',
    {
      summary: '完成任务领积分（资料完善、关注公众号、分享等；超过次数上限返回 409）',
      params: z.object({ code: z.string().min(2).max(64) }),
      body: z.object({ ref: z.string().min(1).max(128).optional() }),
      response: completionSchema,
    },
    ({ params, body }, ctx) =>
      completeTask(
        deps.db,
        { memberId: ctx.state.memberId!, code: params.code, ref: body.ref },
        deps.clock.now(),
      ),
  )

  api.post(
    '/check-in',
    { summary: '每日签到（连续签到有额外奖励）', response: completionSchema },
    (_input, ctx) =>
      completeTask(deps.db, { memberId: ctx.state.memberId!, code: 'daily_check_in' }, deps.clock.now()),
  )
}
