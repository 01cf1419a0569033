// The signed-in member's own profile in the mini-program.
import {
  getMember,
  memberProfileSchema,
  presentProfile,
  profileFieldsSchema,
  updateProfile,
} from '../../../shared/members/profile'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export function registerMpProfile(api: ApiRouter, deps: AppDeps): void {
  api.get('/me', { summary: '我的资料', response: memberProfileSchema }, async (_input, ctx) =>
    presentProfile(await getMember(deps.db, ctx.state.memberId!)),
  )

  api.patch(
    '/me',
    { summary: '修改我的资料', body: profileFieldsSchema.strict(), response: memberProfileSchema },
    async ({ body }, ctx) =>
      presentProfile(await updateProfile(deps.db, ctx.state.memberId!, body, deps.clock.now())),
  )
}
