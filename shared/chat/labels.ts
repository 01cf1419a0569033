// Chinese names of the chat codes operators read: where a message came from, how far an outgoing one
// got, and the categories of feedback tickets. Type-only imports: the console reads this one table.
import type { OutboundStatus } from '../db/schema/chat'

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
