// What operators read for the codes of campaigns: kinds, channels, statuses, runs, cohorts and the
// reasons a member cannot be reached. Plain data with type-only imports: the kinds' rules, the API and
// the console all read this one table.
import type { CampaignChannel, CampaignKind, CampaignRunStatus, CampaignStatus } from '../db/schema/campaigns'

export const campaignKindNames: Record<CampaignKind, string> = {
  holiday: '节日问候',
  birthday: '生日祝福',
  service_reminder: '服务提醒',
  win_back: '沉睡唤醒',
  tier_invite: '升级邀请',
  referral_ask: '邀请推荐',
  benefit_change: '权益变更通知',
}

export const campaignKindDescriptions: Record<CampaignKind, string> = {
  holiday: '在传统节日、公历节日或品牌纪念日当天问候会员',
  birthday: '每天给当天（或 N 天后）过生日的会员送上祝福，按会员选择的公历或农历生日',
  service_reminder: '会员某项服务到期前 N 天提醒（保养、复购、续费）',
  win_back: '唤回 N 天没有互动、也没有下单的会员',
  tier_invite: '邀请离下一等级只差一点的会员升级，或邀请超级用户候选人加入会员群',
  referral_ask: '请满意却从未被邀请推荐的老客推荐朋友',
  benefit_change: '等级规则调整前，提前告知受影响的会员',
}

export const campaignChannelNames: Record<CampaignChannel, string> = {
  direct: '顾问 1 对 1',
  group: '社群群发',
  subscribe: '小程序订阅消息',
}

export const campaignStatusNames: Record<CampaignStatus, string> = {
  draft: '草稿',
  approved: '已批准',
  paused: '已暂停',
  archived: '已归档',
}

export const campaignRunStatusNames: Record<CampaignRunStatus, string> = {
  planning: '排队中',
  planned: '已排入发送队列',
  cancelled: '已取消',
  failed: '失败',
}

export const scheduleTypeNames: Record<'once' | 'yearly' | 'daily', string> = {
  once: '发送一次',
  yearly: '每年节日当天',
  daily: '每天',
}

export const cohortNames: Record<string, string> = {
  send: '发送',
  holdout: '对照组（不发送）',
  opted_out: '已退订',
}

export const recipientChannelNames: Record<string, string> = {
  direct: '顾问 1 对 1',
  subscribe: '订阅消息',
  none: '无法触达',
}

export const unreachableReasonNames: Record<string, string> = {
  no_advisor: '没有专属顾问',
  no_chat_contact: '顾问账号上没有该会员的好友',
  no_subscribe_consent: '没有剩余的订阅消息授权',
}
