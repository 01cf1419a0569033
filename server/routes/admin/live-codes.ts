// Adding friends at scale: each account's contact QR (from its puppet, or uploaded here), and one
// permanent live code per channel that opens the QR of the account with the most room.
import QRCode from 'qrcode'
import { z } from 'zod'
import { getAccount } from '../../../shared/chat/accounts'
import {
  createLiveCode,
  listLiveCodes,
  resolveLiveCode,
  setContactQr,
  updateLiveCode,
} from '../../../shared/chat/live-codes'
import type { LiveCode } from '../../../shared/db/schema/chat'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })
const qrImage = (content: string) => QRCode.toDataURL(content, { margin: 1, width: 256 })

const liveCodeSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  channel: z.string(),
  name: z.string(),
  active: z.boolean(),
  /** Where the permanent code points: print its QR (image) on the channel's material. */
  path: z.string(),
  createdAt: z.string(),
})

const presentLiveCode = (c: LiveCode) => ({
  id: c.id,
  code: c.code,
  channel: c.channel,
  name: c.name,
  active: c.active,
  path: `/live/${c.code}`,
  createdAt: c.createdAt.toISOString(),
})

export function registerAdminLiveCodes(admin: ApiRouter, open: ApiRouter, deps: AppDeps): void {
  admin.get(
    '/accounts/:id/contact-qr',
    {
      summary: '账号的加好友二维码（来自 puppet 或运营上传）',
      params: idParams,
      response: z.object({
        content: z.string().nullable(),
        source: z.enum(['puppet', 'upload']).nullable(),
        image: z.string().nullable(),
        updatedAt: z.string().nullable(),
      }),
    },
    async ({ params }) => {
      const a = await getAccount(deps.db, params.id)
      return {
        content: a.contactQr,
        source: a.contactQrSource,
        image: a.contactQr ? await qrImage(a.contactQr) : null,
        updatedAt: a.contactQrUpdatedAt?.toISOString() ?? null,
      }
    },
  )

  admin.put(
    '/accounts/:id/contact-qr',
    {
      summary: '上传账号的加好友二维码（二维码内容，如 https://u.wechat.com/…）',
      params: idParams,
      body: z.object({
        content: z
          .string()
          .trim()
          .min(8, '二维码内容太短')
          .max(500)
          .regex(/^(https?:\/\/|weixin:\/\/)\S+$/, '二维码内容应为微信的链接（https:// 或 weixin://）'),
      }),
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ params, body }) => {
      await setContactQr(deps.db, params.id, {
        content: body.content,
        source: 'upload',
        at: deps.clock.now(),
      })
      return { ok: true as const }
    },
  )

  admin.get(
    '/live-codes',
    {
      summary: '渠道活码列表：展示次数与带来的新好友',
      response: z.object({
        items: z.array(liveCodeSchema.extend({ scans: z.number().int(), friends: z.number().int() })),
      }),
    },
    async () => ({
      items: (await listLiveCodes(deps.db)).map((r) => ({
        ...presentLiveCode(r.code),
        scans: r.scans,
        friends: r.friends,
      })),
    }),
  )

  admin.post(
    '/live-codes',
    {
      summary: '新建渠道活码（每个渠道一个，永久有效）',
      status: 201,
      body: z.object({
        channel: z
          .string()
          .trim()
          .regex(/^[a-z0-9][a-z0-9_-]{1,40}$/, '渠道标识只能包含小写字母、数字、下划线和连字符'),
        name: z.string().trim().min(1).max(30),
      }),
      response: liveCodeSchema,
    },
    async ({ body }) => presentLiveCode(await createLiveCode(deps.db, body)),
  )

  admin.patch(
    '/live-codes/:id',
    {
      summary: '修改活码名称或停用',
      params: idParams,
      body: z.object({ name: z.string().trim().min(1).max(30), active: z.boolean() }).partial(),
      response: liveCodeSchema,
    },
    async ({ params, body }) => presentLiveCode(await updateLiveCode(deps.db, params.id, body)),
  )

  open.get(
    '/live/:code',
    {
      summary: '打开渠道活码：展示最有余量的顾问账号的加好友二维码',
      params: z.object({ code: z.string().regex(/^[\w-]{6,32}$/, '活码无效') }),
      response: z.object({
        channel: z.string(),
        name: z.string(),
        advisor: z.string(),
        qr: z.string(),
        image: z.string(),
      }),
    },
    async ({ params }) => {
      const r = await resolveLiveCode(deps.db, params.code, deps.clock.now())
      return {
        channel: r.liveCode.channel,
        name: r.liveCode.name,
        advisor: r.account.displayName,
        qr: r.qr,
        image: await qrImage(r.qr),
      }
    },
  )
}
