// The official account's message push (服务器配置 → URL): GET is WeChat's URL check, POST a message or
// an event, plain or in safe mode. A push that cannot be WeChat's (signature, appid, stale timestamp,
// broken XML) is refused with a 4xx; a good one is answered with a passive reply or `success` inside
// WeChat's 5-second window.
import type { ApiContext, ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'
import { DomainError } from '../../../shared/errors'
import {
  aesKeyOf,
  OaPushError,
  oaPushQuerySchema,
  oaTextReply,
  openOaPush,
  sealOaReply,
  verifyOaUrl,
  type OaPushProblem,
  type OaPushSecrets,
} from '../../../shared/wechat/oa-push'
import { handleOaPush, type OaPushOutcome } from '../../../shared/chat/official-account'

/** WeChat waits 5 s for an answer; past this budget the push is acknowledged with `success`. */
export const OA_REPLY_BUDGET_MS = 4500

const statusOf: Record<OaPushProblem, number> = {
  bad_signature: 401,
  stale_timestamp: 401,
  bad_xml: 400,
  bad_ciphertext: 400,
  wrong_appid: 403,
  unsupported_message: 400,
}

function refused(err: unknown): never {
  if (err instanceof OaPushError)
    throw new DomainError(`oa_${err.problem}`, err.message, statusOf[err.problem])
  throw err
}

export function registerOfficialAccount(api: ApiRouter, deps: AppDeps): void {
  const { WECHAT_OA_APPID: appid, WECHAT_OA_TOKEN: token, WECHAT_OA_AES_KEY: aesKey } = deps.config
  const secrets: OaPushSecrets | null =
    appid && token ? { appid, token, ...(aesKey ? { aesKey: aesKeyOf(aesKey) } : {}) } : null
  const configured = (): OaPushSecrets => {
    if (!secrets)
      throw new DomainError(
        'oa_not_configured',
        '未配置公众号（WECHAT_OA_APPID、WECHAT_OA_TOKEN），无法接收公众号消息推送',
        404,
      )
    return secrets
  }

  api.get(
    '/oa',
    {
      summary: '公众号服务器配置的 URL 校验（原样返回 echostr）',
      query: oaPushQuerySchema,
      produces: 'text/plain',
    },
    ({ query }, ctx) => {
      const s = configured()
      let echostr: string
      try {
        echostr = verifyOaUrl(s, query)
      } catch (err) {
        refused(err)
      }
      ctx.type = 'text/plain'
      return echostr
    },
  )

  api.post(
    '/oa',
    {
      summary: '公众号消息与事件推送（明文 / 安全模式），被动回复或 success',
      query: oaPushQuerySchema,
      produces: 'application/xml',
    },
    async ({ query }, ctx: ApiContext) => {
      const s = configured()
      const rawBody = (ctx.request as unknown as { rawBody?: string }).rawBody ?? ''
      const now = deps.clock.now()
      let opened
      try {
        opened = openOaPush(s, query, rawBody, now)
      } catch (err) {
        refused(err)
      }
      const log = ctx.state.log.child({ openid: opened.push.FromUserName, msgType: opened.push.MsgType })
      const handling = handleOaPush(deps.db, opened.push, { at: now })
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), deps.oaReplyBudgetMs ?? OA_REPLY_BUDGET_MS)
      })
      let outcome: OaPushOutcome | null
      try {
        outcome = await Promise.race([handling, late])
      } finally {
        clearTimeout(timer)
      }
      if (!outcome) {
        log.warn('official account push took longer than the reply budget: answered success')
        handling.catch((err: unknown) => log.error({ err }, 'official account push failed after success'))
      } else if (outcome.duplicate) log.info({ memberId: outcome.memberId }, 'official account push repeated')
      if (!outcome?.reply) {
        ctx.type = 'text/plain'
        return 'success'
      }
      const reply = oaTextReply(opened.push, outcome.reply, now)
      ctx.type = 'application/xml'
      if (!opened.encrypted || !s.aesKey) return reply
      return sealOaReply(
        { ...s, aesKey: s.aesKey },
        reply,
        String(Math.floor(now.getTime() / 1000)),
        query.nonce,
      )
    },
  )
}
