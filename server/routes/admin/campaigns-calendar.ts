// Operator API around campaigns: the greeting calendar, the brand's own dates, the variables a
// template may use, and the service dates reminders count down to.
import { z } from 'zod'
import { availableVariables, offerSchema } from '../../../shared/campaigns/definition'
import { kindDefinition } from '../../../shared/campaigns/kinds'
import {
  brandDateInputSchema,
  calendarOfYear,
  createBrandDate,
  deleteBrandDate,
  listBrandDates,
} from '../../../shared/campaigns/occasions'
import { campaignChannels, campaignKinds } from '../../../shared/db/schema/campaigns'
import {
  addServiceDate,
  listServiceDates,
  removeServiceDate,
  serviceDateInputSchema,
} from '../../../shared/campaigns/service-dates'
import { shanghaiDate } from '../../../shared/clock'
import { scheduleTypes } from '../../../shared/campaigns/schedule'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

const idParams = z.object({ id: z.coerce.number().int().positive() })
const brandDateSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  calendar: z.enum(['solar', 'lunar']),
  month: z.number().int(),
  day: z.number().int(),
})
const serviceDateSchema = z.object({
  id: z.number().int(),
  memberId: z.number().int(),
  service: z.string(),
  dueOn: z.string(),
  note: z.string().nullable(),
})

export function registerAdminCampaignCalendar(api: ApiRouter, deps: AppDeps): void {
  api.get(
    '/campaign-calendar',
    {
      summary: '节日日历',
      description: '某一年的农历节日、公历节日、二十四节气和品牌日（Asia/Shanghai 日期）。',
      query: z.object({ year: z.coerce.number().int().min(1901).max(2099).optional() }),
      response: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          date: z.string(),
          source: z.enum(['festival', 'solar_term', 'brand']),
        }),
      ),
    },
    async ({ query }) =>
      calendarOfYear(deps.db, query.year ?? Number(shanghaiDate(deps.clock.now()).slice(0, 4))),
  )

  api.get(
    '/campaign-variables',
    {
      summary: '模板可用的变量',
      query: z.object({
        kind: z.enum(campaignKinds),
        channel: z.enum(campaignChannels).default('direct'),
        withCoupon: z.enum(['true', 'false']).optional(),
        withPoints: z.enum(['true', 'false']).optional(),
      }),
      response: z.object({
        kind: z.string(),
        kindName: z.string(),
        /** The schedules this kind allows (once, yearly, daily). */
        schedules: z.array(z.enum(scheduleTypes)),
        variables: z.array(z.object({ name: z.string(), label: z.string(), example: z.string() })),
      }),
    },
    async ({ query }) => {
      const offer = offerSchema.safeParse({
        ...(query.withCoupon === 'true' ? { coupon: { title: '优惠券' } } : {}),
        ...(query.withPoints === 'true' ? { points: 1 } : {}),
      })
      return {
        kind: query.kind,
        kindName: kindDefinition(query.kind).title,
        schedules: [...kindDefinition(query.kind).schedules],
        variables: availableVariables(query.kind, query.channel, offer.success ? offer.data : null).map(
          (v) => ({
            name: v.name,
            label: v.label,
            example: v.example,
          }),
        ),
      }
    },
  )

  api.get('/brand-dates', { summary: '品牌日', response: z.array(brandDateSchema) }, async () =>
    listBrandDates(deps.db),
  )

  api.post(
    '/brand-dates',
    { summary: '新增品牌日', body: brandDateInputSchema, response: brandDateSchema, status: 201 },
    async ({ body }) => createBrandDate(deps.db, body),
  )

  api.delete('/brand-dates/:id', { summary: '删除品牌日', params: idParams }, async ({ params }) => {
    await deleteBrandDate(deps.db, params.id)
  })

  api.get(
    '/campaign-service-dates',
    {
      summary: '会员的服务到期日',
      query: z.object({ memberId: z.coerce.number().int().positive() }),
      response: z.array(serviceDateSchema),
    },
    async ({ query }) => listServiceDates(deps.db, query.memberId),
  )

  api.post(
    '/campaign-service-dates',
    {
      summary: '记录会员的服务到期日',
      description: '服务提醒活动在到期前 N 天提醒会员（保养、复购、续费）。',
      body: serviceDateInputSchema,
      response: serviceDateSchema,
      status: 201,
    },
    async ({ body }) => addServiceDate(deps.db, body),
  )

  api.delete(
    '/campaign-service-dates/:id',
    { summary: '删除服务到期日', params: idParams },
    async ({ params }) => {
      await removeServiceDate(deps.db, params.id)
    },
  )
}
