// The demo brand's campaigns: a yearly Mid-Autumn greeting and a daily birthday greeting approved and
// waiting for their day, a win-back, a tier invite and a referral ask in draft, and a greeting sent
// three weeks ago whose results show (its messages delivered as the bot would have).
import { count, eq, sql } from 'drizzle-orm'
import { VirtualClock } from '../clock'
import type { Db } from '../db/client'
import { createLogger } from '../logger'
import { campaignInputSchema } from './definition'
import { campaignIntegrations } from './integrations'
import { createBrandDate } from './occasions'
import { runDueCampaigns } from './planner'
import { brandDates, campaignRuns, campaigns } from '../db/schema/campaigns'
import { approveCampaign, createCampaign } from './service'

const demoCampaigns = [
  {
    approve: true,
    input: {
      name: '中秋问候',
      kind: 'holiday',
      kindArgs: { occasion: 'mid_autumn' },
      channel: 'direct',
      variants: [
        '{{name|亲}}，中秋快乐！我是您的专属顾问{{advisor}}，愿您和家人花好月圆，团团圆圆🥮',
        '{{name|亲}}，又是一年月圆时，{{advisor}}在这里祝您{{festival}}快乐，阖家安康～',
        '{{name|亲}}，{{festival}}到啦！感谢一直以来的陪伴，祝您中秋团圆、万事顺意。',
      ],
      subscribe: {
        templateId: 'DEMO-HOLIDAY-GREETING',
        page: 'pages/member/card',
        fields: { thing1: '{{festival}}快乐', thing2: '{{name|亲}}，愿您团圆安康' },
      },
      schedule: { type: 'yearly', time: '09:00' },
      holdoutPct: 5,
    },
  },
  {
    approve: true,
    input: {
      name: '生日祝福',
      kind: 'birthday',
      kindArgs: { daysAhead: 0 },
      channel: 'direct',
      variants: [
        '{{name|亲}}，生日快乐🎂！{{advisor}}为您准备了{{gift_points}}积分生日礼，已放进您的会员卡。',
        '{{name|亲}}，今天是您的生日，祝您岁岁欢愉！送上{{gift_points}}积分，可在会员中心查看哦～',
      ],
      schedule: { type: 'daily', time: '09:30' },
      offer: { points: 200 },
      holdoutPct: 5,
    },
  },
  {
    approve: false,
    input: {
      name: '沉睡会员唤醒',
      kind: 'win_back',
      kindArgs: { inactiveDays: 120, maxInactiveDays: 400 },
      channel: 'direct',
      variants: [
        '{{name|亲}}，好久不见（已经{{days_away}}天啦），最近皮肤状态怎么样？有需要随时找我{{advisor}}～',
        '{{name|亲}}，{{advisor}}想您啦！店里上了几款新品，您有空可以看看，有问题随时问我。',
      ],
      schedule: { type: 'daily', time: '10:30' },
      cooldownDays: 60,
      holdoutPct: 10,
    },
  },
  {
    approve: false,
    input: {
      name: '银卡/金卡升级邀请',
      kind: 'tier_invite',
      kindArgs: { mode: 'near_next_level', ladder: 'spend', withinFen: 30_000 },
      channel: 'direct',
      variants: [
        '{{name|亲}}，您离{{next_tier}}只差{{gap}}元啦，升级后积分加速、专属礼遇更多，有需要我帮您挑挑～',
      ],
      schedule: { type: 'once', at: null },
    },
  },
  {
    approve: false,
    input: {
      name: '老客推荐邀请',
      kind: 'referral_ask',
      kindArgs: {},
      channel: 'direct',
      variants: [
        '{{name|亲}}，谢谢您一直喜欢我们的产品！如果身边有朋友也需要，欢迎把会员卡分享给 Ta，双方都有积分礼～',
      ],
      schedule: { type: 'daily', time: '15:00' },
      cooldownDays: 180,
    },
  },
] as const

/** Create the demo campaigns once (a database that already has campaigns is left alone). */
export async function seedCampaignDemo(db: Db, now: Date): Promise<void> {
  const [existing] = await db.select({ n: count() }).from(campaigns)
  if (existing!.n > 0) return
  const [brand] = await db.select({ n: count() }).from(brandDates)
  if (brand!.n === 0)
    await createBrandDate(db, {
      code: 'brand_anniversary',
      name: '品牌周年庆',
      calendar: 'solar',
      month: 5,
      day: 18,
    })

  const clock = new VirtualClock(now)
  const ctx = { db, clock, integrations: campaignIntegrations }
  for (const demo of demoCampaigns) {
    const created = await createCampaign(ctx, campaignInputSchema.parse(demo.input), null)
    if (demo.approve) await approveCampaign(ctx, created.id, created.version, null)
  }

  // A greeting sent three weeks ago, delivered over the following hours, so its results can be read.
  clock.set(new Date(now.getTime() - 21 * 86_400_000))
  const past = await createCampaign(
    ctx,
    campaignInputSchema.parse({
      name: '会员日问候',
      kind: 'holiday',
      kindArgs: { occasion: 'brand_anniversary' },
      channel: 'direct',
      variants: [
        '{{name|亲}}，今天是我们的会员日，{{advisor}}感谢您一路相伴！会员日全场积分双倍，您现在有{{points}}积分～',
        '{{name|亲}}，会员日快乐！今天下单积分翻倍，您的{{tier}}专属礼遇也别忘了用哦。',
      ],
      schedule: { type: 'once', at: null },
      holdoutPct: 10,
    }),
    null,
  )
  await approveCampaign(ctx, past.id, past.version, null)
  await runDueCampaigns({
    db,
    clock,
    logger: createLogger({ level: 'silent' }),
    integrations: campaignIntegrations,
    owner: 'demo',
  })
  const [run] = await db.select().from(campaignRuns).where(eq(campaignRuns.campaignId, past.id))
  if (!run) return
  await db.execute(sql`update outbound_messages
    set status = case when id % 23 = 0 then 'dead' else 'sent' end,
        sent_at = case when id % 23 = 0 then null else created_at + (id % 600) * interval '40 seconds' end,
        attempts = 1, last_error = case when id % 23 = 0 then '对方开启了好友验证' end
    where campaign_run_id = ${run.id}`)
  // The campaign is done: archived so it does not run again.
  await db.update(campaigns).set({ status: 'archived' }).where(eq(campaigns.id, past.id))
}
