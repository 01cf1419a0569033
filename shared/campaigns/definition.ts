// What an operator writes to define a campaign, and the checks that make it sendable: the kind's
// arguments, a schedule the kind allows, a channel with what it needs, and templates that only use
// variables this campaign can fill.
import { z } from 'zod'
import { DomainError } from '../errors'
import { kindDefinition, parseKindArgs } from './kinds'
import {
  campaignChannels,
  campaignKinds,
  type CampaignChannel,
  type CampaignKind,
} from '../db/schema/campaigns'
import { scheduleSchema, type Schedule } from './schedule'
import { checkTemplates, type TemplatePart, type TemplateSource } from '../template'
import {
  couponVariable,
  festivalVariable,
  giftPointsVariable,
  memberVariables,
  type VariableDefinition,
} from './variables'

export const offerSchema = z
  .object({
    /** Points credited to every member sent to. */
    points: z.number().int().min(1).max(100_000).optional(),
    coupon: z
      .object({
        /** As members read it in the message: 满199减30券. */
        title: z.string().trim().min(1).max(30),
        /** The store's coupon template to issue to each member sent to. */
        templateId: z.string().min(1).max(64).optional(),
      })
      .optional(),
  })
  .refine((o) => o.points !== undefined || o.coupon !== undefined, { message: '请填写赠送积分或优惠券' })
export type Offer = z.infer<typeof offerSchema>

/** The mini-program subscribe message: one template per data field, e.g. {"thing1": "{{name}}，中秋快乐"}. */
export const subscribeSchema = z.object({
  templateId: z.string().min(1).max(64),
  page: z.string().max(200).optional(),
  fields: z
    .record(
      z.string().regex(/^[a-z_]+\d+$/, '字段名应为订阅消息模板的 key，如 thing1'),
      z.string().min(1).max(200),
    )
    .refine((f) => Object.keys(f).length > 0 && Object.keys(f).length <= 10, {
      message: '请填写 1–10 个字段',
    }),
})
export type SubscribeSpec = z.infer<typeof subscribeSchema>

export const groupTargetSchema = z
  .object({
    groupIds: z.array(z.number().int().positive()).max(1000).optional(),
    purpose: z.enum(['tier', 'interest', 'general']).optional(),
  })
  .refine((g) => (g.groupIds?.length ?? 0) > 0 || g.purpose !== undefined, { message: '请选择群或群类型' })
export type GroupTarget = z.infer<typeof groupTargetSchema>

export const campaignInputSchema = z.object({
  name: z.string().trim().min(1, '请填写活动名称').max(60),
  kind: z.enum(campaignKinds),
  kindArgs: z.record(z.string(), z.unknown()).default({}),
  segmentId: z.number().int().positive().nullable().default(null),
  channel: z.enum(campaignChannels),
  variants: z.array(z.string().trim().min(1, '文案不能为空').max(500)).max(10, '最多 10 种文案').default([]),
  subscribe: subscribeSchema.nullable().default(null),
  groupTarget: groupTargetSchema.nullable().default(null),
  schedule: scheduleSchema,
  offer: offerSchema.nullable().default(null),
  holdoutPct: z.number().int().min(0).max(50).default(0),
  cooldownDays: z.number().int().min(1).max(3650).nullable().default(null),
})
export type CampaignInput = z.infer<typeof campaignInputSchema>

/** A campaign whose every part has been checked, templates parsed. */
export interface CheckedCampaign extends CampaignInput {
  kindArgs: Record<string, unknown>
  schedule: Schedule
  variantParts: TemplatePart[][]
  subscribeParts: [field: string, parts: TemplatePart[]][]
  /** Every variable the templates use, with its definition. */
  usedVariables: VariableDefinition[]
  /** Every variable this campaign could use. */
  availableVariables: VariableDefinition[]
}

/** The variables a campaign of this kind, channel and offer can fill. */
export function availableVariables(
  kind: CampaignKind,
  channel: CampaignChannel,
  offer: Offer | null,
): VariableDefinition[] {
  const list: VariableDefinition[] = [...memberVariables, ...kindDefinition(kind).variables]
  if (kind === 'holiday') list.push(festivalVariable)
  if (offer?.coupon) list.push(couponVariable)
  if (offer?.points) list.push(giftPointsVariable)
  return channel === 'group' ? list.filter((v) => v.scope === 'any') : list
}

const problem = (code: string, path: string, message: string) =>
  new DomainError(code, message, 400, [{ path, message }])

/** Check a campaign definition; throws a 400 DomainError naming what is wrong. */
export function checkCampaign(input: CampaignInput): CheckedCampaign {
  const kind = kindDefinition(input.kind)
  const kindArgs = parseKindArgs(input.kind, input.kindArgs) as Record<string, unknown>
  if (!kind.schedules.includes(input.schedule.type))
    throw problem(
      'schedule_not_allowed',
      'body.schedule.type',
      `${kind.title}不能按“${input.schedule.type}”安排，可选：${kind.schedules.join('、')}`,
    )
  if (input.channel === 'group') {
    if (input.kind !== 'holiday')
      throw problem('channel_not_allowed', 'body.channel', '只有节日问候可以发到群里')
    if (!input.groupTarget) throw problem('group_target_required', 'body.groupTarget', '请选择要发送的群')
    if (input.holdoutPct > 0)
      throw problem('holdout_not_allowed', 'body.holdoutPct', '群发消息无法设置对照组')
  }
  if (input.channel !== 'subscribe' && input.variants.length === 0)
    throw problem('variants_required', 'body.variants', '至少写一种文案')
  if (input.channel === 'subscribe' && !input.subscribe)
    throw problem('subscribe_required', 'body.subscribe', '请填写订阅消息模板')
  if (input.channel === 'group' && input.subscribe)
    throw problem('subscribe_not_allowed', 'body.subscribe', '群发消息不能附带订阅消息')

  const available = availableVariables(input.kind, input.channel, input.offer)
  const templates: TemplateSource[] = input.variants.map((source, i) => ({
    path: `body.variants.${i}`,
    source,
  }))
  const fields = Object.entries(input.subscribe?.fields ?? {})
  for (const [key, source] of fields) templates.push({ path: `body.subscribe.fields.${key}`, source })
  const parsed = checkTemplates(
    templates,
    available.map((v) => v.name),
  )
  const variantParts = input.variants.map((_, i) => parsed.get(`body.variants.${i}`)!)
  const subscribeParts = fields.map(
    ([key]) => [key, parsed.get(`body.subscribe.fields.${key}`)!] as [string, TemplatePart[]],
  )
  const used = new Set([...parsed.values()].flat().flatMap((p) => ('variable' in p ? [p.variable] : [])))
  return {
    ...input,
    kindArgs,
    variantParts,
    subscribeParts,
    usedVariables: available.filter((v) => used.has(v.name)),
    availableVariables: available,
  }
}
