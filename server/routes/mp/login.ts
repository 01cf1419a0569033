// Mini-program login (wx.login code) and phone binding (getPhoneNumber button code).
import { z } from 'zod'
import { presentProfile, memberProfileSchema } from '../../../shared/members/profile'
import { bindPhone, loginWithCode } from '../../../shared/wechat/login'
import { wechatClients } from '../../../shared/wechat/clients'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const codeSchema = z.object({ code: z.string().trim().min(1, '缺少 code').max(128) })

export function registerMpLogin(publicApi: ApiRouter, api: ApiRouter, deps: AppDeps): void {
  const loginDeps = () => ({ ...deps, api: wechatClients(deps).mp })

  publicApi.post(
    '/login',
    {
      summary: '小程序登录（wx.login 的 code 换取会员登录令牌）',
      body: codeSchema,
      response: z.object({
        token: z.string(),
        expiresAt: z.string(),
        isNew: z.boolean(),
        member: memberProfileSchema,
      }),
    },
    async ({ body }) => {
      const r = await loginWithCode(loginDeps(), body.code)
      return {
        token: r.token,
        expiresAt: r.expiresAt.toISOString(),
        isNew: r.created,
        member: presentProfile(r.member),
      }
    },
  )

  api.post(
    '/phone',
    {
      summary: '绑定手机号（getPhoneNumber 按钮的 code）',
      description: '手机号已属于其他会员时返回 409 phone_taken，由运营人员核实后合并。',
      body: codeSchema,
      response: z.object({ phone: z.string() }),
    },
    ({ body }, ctx) => bindPhone(loginDeps(), ctx.state.memberId!, body.code),
  )
}
