// Mini-program login and phone binding. wx.login()'s code → code2Session → the member through identity
// resolution (openid, unionid) → our own opaque session token. WeChat's session_key is stored encrypted
// with the session and never leaves the server. The phone number from a getPhoneNumber button joins the
// member's identities; a phone that already belongs to another member is refused with a 409 and left
// for operators to merge.
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { and, eq, inArray } from 'drizzle-orm'
import type { Clock } from '../clock'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { DomainError, RetryLaterError } from '../errors'
import { createMemberSession } from '../auth/service'
import { resolveIdentity, type IdentityRef } from '../members/identity'
import { memberIdentities, type Member } from '../db/schema/members'
import { WechatApiError, type MiniProgramApi } from './mini-program'

export interface LoginDeps {
  db: Db
  clock: Clock
  config: Config
  api: MiniProgramApi | null
}

/** WeChat's login errors as answers a shopper can act on. */
function loginError(err: unknown): never {
  if (err instanceof WechatApiError) {
    if (err.errcode === 40029 || err.errcode === 40163)
      throw new DomainError('invalid_login_code', '登录凭证无效或已使用，请重新进入小程序', 400)
    // 45011: the per-minute quota of code2session is spent; it refills within the minute.
    if (err.errcode === 45011) throw new RetryLaterError('login_rate_limited', '登录太频繁，请稍后再试', 60)
    if (err.errcode === 40226)
      throw new DomainError('risky_user', '微信判定当前账号存在风险，暂不能登录', 403)
  }
  throw new DomainError('wechat_unavailable', '微信服务暂时不可用，请稍后重试', 502)
}

/** AES-256-GCM with SECRET_KEY (or, without one, a key derived from the app secret): iv.tag.data, base64url. */
export function sealSessionKey(config: Config, sessionKey: string): string {
  const key = config.SECRET_KEY
    ? Buffer.from(config.SECRET_KEY, 'hex')
    : createHash('sha256')
        .update(`session-key:${config.WECHAT_MP_SECRET ?? ''}`)
        .digest()
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const data = Buffer.concat([cipher.update(sessionKey, 'utf8'), cipher.final()])
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.')
}

export async function loginWithCode(
  deps: LoginDeps,
  code: string,
): Promise<{ token: string; expiresAt: Date; member: Member; created: boolean }> {
  if (!deps.api) throw new DomainError('wechat_not_configured', '未配置小程序 AppID，无法微信登录', 503)
  let session
  try {
    session = await deps.api.code2Session(code)
  } catch (err) {
    loginError(err)
  }
  const identities: IdentityRef[] = [{ kind: 'mp_openid', value: session.openid }]
  if (session.unionid) identities.push({ kind: 'unionid', value: session.unionid })
  const at = deps.clock.now()
  const resolution = await resolveIdentity(deps.db, { identities, source: 'miniprogram', at })
  const { token, expiresAt } = await createMemberSession(
    deps.db,
    deps.clock,
    resolution.member.id,
    deps.config.SESSION_TTL_HOURS,
    sealSessionKey(deps.config, session.sessionKey),
  )
  return { token, expiresAt, member: resolution.member, created: resolution.created }
}

const maskPhone = (p: string) => p.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2')

/** Bind the phone number of a getPhoneNumber button to the signed-in member. */
export async function bindPhone(deps: LoginDeps, memberId: number, code: string): Promise<{ phone: string }> {
  if (!deps.api) throw new DomainError('wechat_not_configured', '未配置小程序 AppID，无法获取手机号', 503)
  let info
  try {
    info = await deps.api.getPhoneNumber(code)
  } catch (err) {
    if (err instanceof WechatApiError && err.errcode === 40029)
      throw new DomainError('invalid_phone_code', '手机号授权已失效，请重新授权', 400)
    throw new DomainError('wechat_unavailable', '微信服务暂时不可用，请稍后重试', 502)
  }
  const phone = info.purePhoneNumber
  if (!/^1[3-9]\d{9}$/.test(phone) || (info.countryCode && info.countryCode !== '86'))
    throw new DomainError('phone_not_supported', '暂只支持中国大陆手机号', 400)
  // The member's own WeChat identities tell resolution who is asking.
  const own = await deps.db
    .select({ kind: memberIdentities.kind, value: memberIdentities.value })
    .from(memberIdentities)
    .where(
      and(eq(memberIdentities.memberId, memberId), inArray(memberIdentities.kind, ['unionid', 'mp_openid'])),
    )
  if (own.length === 0) throw new DomainError('wechat_login_required', '请先通过微信登录', 409)
  const resolution = await resolveIdentity(deps.db, {
    identities: [{ kind: 'phone', value: phone }, ...own],
    at: deps.clock.now(),
  })
  if (resolution.member.id !== memberId || resolution.conflicts.some((c) => c.kind === 'phone'))
    throw new DomainError('phone_taken', '该手机号已绑定其他会员，请联系客服核实合并', 409, [
      { path: 'code', message: `手机号 ${maskPhone(phone)} 已属于其他会员` },
    ])
  await deps.db
    .update(memberIdentities)
    .set({ verified: true })
    .where(and(eq(memberIdentities.kind, 'phone'), eq(memberIdentities.value, phone)))
  return { phone: maskPhone(phone) }
}
