// Operators and the account pool: each account's state, login QR, load and sending; settings; puppet
// tokens (stored encrypted); marking an account banned (its members move, re-adds flagged).
import QRCode from 'qrcode'
import { z } from 'zod'
import {
  accountOverview,
  createAccount,
  getAccount,
  puppets,
  setAccountToken,
  updateAccount,
} from '../../../shared/chat/accounts'
import { banAccount, markReaddDone, pendingReadds } from '../../../shared/chat/assignment'
import {
  accountPacingState,
  actionKinds,
  latestPause,
  pacingOverridesSchema,
} from '../../../shared/chat/pacing'
import { patchOf } from '../../../shared/validation'
import type { BotAccount } from '../../../shared/db/schema/chat'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM')
const idParams = z.object({ id: z.coerce.number().int().positive() })

const settingsSchema = z
  .object({
    displayName: z.string().trim().min(1).max(50),
    /** null: the configured default (WECHATY_PUPPET). */
    puppet: z.enum(puppets).nullable(),
    friendCapacity: z.number().int().min(1).max(10_000),
    dailyCap: z.number().int().min(0).max(5_000),
    quietStart: hhmm,
    quietEnd: hhmm,
    pacing: patchOf(pacingOverridesSchema),
    state: z.enum(['disabled', 'needs_scan']),
  })
  .partial()

const accountSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  displayName: z.string(),
  puppet: z.string().nullable(),
  /** The puppet the account runs on: its own, or WECHATY_PUPPET. */
  effectivePuppet: z.string(),
  hasOwnToken: z.boolean(),
  state: z.string(),
  friendCapacity: z.number().int(),
  friendCount: z.number().int(),
  dailyCap: z.number().int(),
  quietStart: z.string(),
  quietEnd: z.string(),
  pacing: z.unknown(),
  loginQr: z.string().nullable(),
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: z.string().nullable(),
  pausedUntil: z.string().nullable(),
  pauseReason: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  lastSentAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** Failed starts in a row (state error): the next try waits 30 s × 2^(n-1), at most 30 min. */
  failureCount: z.number().int(),
  retryAt: z.string().nullable(),
  firstLoginAt: z.string().nullable(),
  hasContactQr: z.boolean(),
  contactQrSource: z.string().nullable(),
})

const kindSchema = z.object({
  kind: z.enum(actionKinds),
  usedToday: z.number().int(),
  /** What the daily cap allows today (warm-up applied); null: no cap. */
  allowedToday: z.number().int().nullable(),
  dailyMax: z.number().int().nullable(),
  ramp: z.array(z.number()),
  usedThisHour: z.number().int(),
  hourlyMax: z.number().int().nullable(),
  gapMs: z.tuple([z.number().int(), z.number().int()]).nullable(),
  pausedUntil: z.string().nullable(),
  pauseReason: z.string().nullable(),
})

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function presentAccount(a: BotAccount, defaultPuppet: string, now: Date) {
  const pause = latestPause(accountPacingState(a), now)
  return {
    id: a.id,
    name: a.name,
    displayName: a.displayName,
    puppet: a.puppet,
    effectivePuppet: a.puppet ?? defaultPuppet,
    hasOwnToken: a.puppetTokenEncrypted !== null,
    state: a.state,
    friendCapacity: a.friendCapacity,
    friendCount: a.friendCount,
    dailyCap: a.dailyCap,
    quietStart: a.quietStart,
    quietEnd: a.quietEnd,
    pacing: a.pacing,
    loginQr: a.loginQr,
    leaseOwner: a.leaseOwner,
    leaseExpiresAt: iso(a.leaseExpiresAt),
    pausedUntil: iso(pause?.until ?? null),
    pauseReason: pause ? a.pauseReason : null,
    lastLoginAt: iso(a.lastLoginAt),
    lastSentAt: iso(a.lastSentAt),
    lastError: a.lastError,
    failureCount: a.failureCount,
    retryAt: iso(a.retryAt),
    firstLoginAt: iso(a.firstLoginAt),
    hasContactQr: a.contactQr !== null,
    contactQrSource: a.contactQrSource,
  }
}

export function registerAdminAccounts(api: ApiRouter, deps: AppDeps): void {
  const present = (a: BotAccount) => presentAccount(a, deps.config.WECHATY_PUPPET, deps.clock.now())
  api.get(
    '/accounts',
    {
      summary: '顾问账号列表：状态、登录二维码、负载与今日发送',
      response: z.object({
        items: z.array(
          accountSchema.extend({
            members: z.number().int(),
            queued: z.number().int(),
            deadLetters: z.number().int(),
            sentToday: z.number().int(),
            leaseActive: z.boolean(),
            paused: z.boolean(),
            /** Each paced action kind: today's and this hour's use against the caps, gap, pause. */
            kinds: z.array(kindSchema),
          }),
        ),
      }),
    },
    async () => ({
      items: (await accountOverview(deps.db, deps.clock.now())).map((r) => ({
        ...present(r.account),
        members: r.members,
        queued: r.queued,
        deadLetters: r.deadLetters,
        sentToday: r.sentToday,
        leaseActive: r.leaseActive,
        paused: r.paused,
        kinds: r.kinds.map((k) => ({
          ...k,
          pausedUntil: iso(k.pausedUntil),
        })),
      })),
    }),
  )

  api.post(
    '/accounts',
    {
      summary: '新增顾问账号',
      status: 201,
      body: settingsSchema.extend({
        name: z
          .string()
          .trim()
          .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, '名称只能包含小写字母、数字和连字符'),
        displayName: z.string().trim().min(1).max(50),
      }),
      response: accountSchema,
    },
    async ({ body }) =>
      present(
        await createAccount(deps.db, {
          quietStart: deps.config.QUIET_HOURS_START,
          quietEnd: deps.config.QUIET_HOURS_END,
          ...body,
        }),
      ),
  )

  api.patch(
    '/accounts/:id',
    {
      summary: '修改顾问账号设置（容量、每日上限、免打扰时段、发送节奏、停用）',
      params: idParams,
      body: settingsSchema,
      response: accountSchema,
    },
    async ({ params, body }) => present(await updateAccount(deps.db, params.id, body)),
  )

  api.put(
    '/accounts/:id/token',
    {
      summary: '设置账号的 puppet token（以 SECRET_KEY 加密保存，不会再返回）',
      params: idParams,
      body: z.object({ token: z.string().min(8).max(500) }),
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ params, body }) => {
      await setAccountToken(deps.db, params.id, body.token, deps.config.SECRET_KEY)
      return { ok: true as const }
    },
  )

  api.get(
    '/accounts/:id/qr',
    {
      summary: '账号的登录二维码（待扫码时）',
      params: idParams,
      response: z.object({ state: z.string(), qr: z.string().nullable(), image: z.string().nullable() }),
    },
    async ({ params }) => {
      const account = await getAccount(deps.db, params.id)
      const qr = account.state === 'needs_scan' ? account.loginQr : null
      return {
        state: account.state,
        qr,
        image: qr ? await QRCode.toDataURL(qr, { margin: 1, width: 256 }) : null,
      }
    },
  )

  api.post(
    '/accounts/:id/ban',
    {
      summary: '标记账号被封：会员转给其他顾问，并提醒运营重新添加',
      params: idParams,
      body: z.object({ reason: z.string().trim().min(1).max(200).default('账号被封') }),
      response: z.object({
        moved: z.number().int(),
        unplaced: z.number().int(),
        cancelledMessages: z.number().int(),
      }),
    },
    async ({ params, body }) => banAccount(deps.db, params.id, deps.clock.now(), body.reason),
  )

  api.get(
    '/accounts/reassignments',
    {
      summary: '待重新添加好友的会员（账号被封后转移）',
      query: z.object({
        fromAccountId: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(200).default(200),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: z.object({
        items: z.array(
          z.object({
            id: z.number().int(),
            memberId: z.number().int(),
            memberNo: z.string(),
            memberName: z.string().nullable(),
            fromAccountId: z.number().int(),
            fromAccountName: z.string(),
            toAccountId: z.number().int().nullable(),
            toAccountName: z.string().nullable(),
            reason: z.string(),
            createdAt: z.string(),
          }),
        ),
      }),
    },
    async ({ query }) => ({
      items: (await pendingReadds(deps.db, query)).map((r) => ({
        id: r.id,
        memberId: r.memberId,
        memberNo: r.memberNo,
        memberName: r.memberName,
        fromAccountId: r.fromAccountId,
        fromAccountName: r.fromAccountName,
        toAccountId: r.toAccountId,
        toAccountName: r.toAccountName,
        reason: r.reason,
        createdAt: r.createdAt.toISOString(),
      })),
    }),
  )

  api.post(
    '/accounts/reassignments/:id/done',
    {
      summary: '已重新添加好友',
      params: idParams,
      response: z.object({ id: z.number().int(), readdPending: z.boolean() }),
    },
    async ({ params }) => {
      const r = await markReaddDone(deps.db, params.id, deps.clock.now())
      return { id: r.id, readdPending: r.readdPending }
    },
  )
}
