// What the referral routes share: how dates arrive in queries, and how a share code's mini-program code image is answered.
import { z } from 'zod'
import { SHANGHAI_OFFSET_MS } from '../../../shared/clock'
import { DomainError } from '../../../shared/errors'
import type { AppDeps } from '../../deps'
import type { ApiContext } from '../../api-router'
import { shareTargetsOf } from '../../../shared/referral/share-codes'

/** A calendar day in Asia/Shanghai ("2026-03-01") → the instant it starts. */
export const shanghaiDay = z.iso
  .date('日期格式应为 YYYY-MM-DD')
  .transform((d) => new Date(Date.parse(`${d}T00:00:00Z`) - SHANGHAI_OFFSET_MS))

/** A calendar month in Asia/Shanghai ("2026-03") → the instant it starts. */
export const shanghaiMonth = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM')
  .transform((m) => new Date(Date.parse(`${m}-01T00:00:00Z`) - SHANGHAI_OFFSET_MS))

/** The start of the month after `monthStart` (both instants in Asia/Shanghai terms). */
export function nextMonth(monthStart: Date): Date {
  const local = new Date(monthStart.getTime() + SHANGHAI_OFFSET_MS)
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - SHANGHAI_OFFSET_MS)
}

export const paging = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
}

/** The day after a Shanghai day, for inclusive "to" dates. */
export const dayAfter = (d: Date) => new Date(d.getTime() + 86_400_000)

export const shareTargetSchema = z.object({
  code: z.string(),
  scene: z.string(),
  page: z.string(),
  path: z.string(),
})

/** Answer a share code's mini-program code image, generated through wxacode.getUnlimited. */
export async function sendShareCodeImage(deps: AppDeps, ctx: ApiContext, code: string): Promise<Buffer> {
  if (!deps.wxacode)
    throw new DomainError('miniprogram_not_configured', '未配置小程序，暂时无法生成小程序码', 503)
  const target = shareTargetsOf(code)
  const image = await deps.wxacode.getUnlimitedQrCode({ scene: target.scene, page: target.page })
  ctx.type = image.contentType
  ctx.set('cache-control', 'private, max-age=86400')
  return image.body
}
