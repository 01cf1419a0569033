// What operators read for the chat codes: account states, the paced action kinds, outbox statuses,
// group purposes, where a message came from, how far an outgoing one got, and the categories of
// feedback tickets. Plain data with type-only imports: the server and the console read this one table.
import type { ActionKind, BotAccountState, OutboundStatus } from '../db/schema/chat'

export const accountStateNames: Record<BotAccountState, string> = {
  needs_scan: '待扫码',
  online: '在线',
  limited: '受限',
  logged_out: '已下线',
  banned: '已封号',
  disabled: '已停用',
  error: '启动失败',
}

export const actionKindNames: Record<ActionKind, string> = {
  direct: '私聊消息',
  reply: '自动回复',
  group_post: '群消息',
  link: '链接/小程序卡片',
  friend_accept: '通过好友',
  invite: '邀请入群',
  group_create: '新建群',
}

export const outboundStatusNames: Record<OutboundStatus, string> = {
  queued: '排队中',
  claimed: '已领取',
  sending: '发送中',
  sent: '已发送',
  failed: '失败',
  dead: '死信',
  cancelled: '已取消',
  skipped: '已跳过',
}

export const groupPurposeNames: Record<'tier' | 'interest' | 'general', string> = {
  tier: '会员等级群',
  interest: '兴趣群',
  general: '普通群',
}

/** Who or what wrote an outgoing message (the outbox row's source, the chat event's origin). */
export const messageOriginNames: Record<string, string> = {
  operator: '人工回复',
  keyword: '关键词自动回复',
  welcome: '欢迎语',
  binding: '绑定回复',
  feedback: '反馈回复',
  campaign: '活动消息',
  notice: '通知',
  reply: '自动回复',
}

/** How far an outgoing message got; `received` is a message the member wrote. */
export const messageStatusNames: Record<OutboundStatus | 'received', string> = {
  received: '已收到',
  queued: '排队待发',
  claimed: '即将发送',
  sending: '发送中',
  sent: '已发送',
  failed: '发送失败',
  dead: '发送失败',
  cancelled: '已取消',
  skipped: '未发送',
}

/** Feedback ticket categories: the feedback lexicon's complaint, suggestion, praise, and 转人工. */
export const ticketCategoryNames = {
  complaint: '投诉',
  suggestion: '建议',
  handoff: '转人工',
  praise: '表扬',
} as const

export type TicketCategory = keyof typeof ticketCategoryNames
export const ticketCategories = Object.keys(ticketCategoryNames) as [TicketCategory, ...TicketCategory[]]
