// What operators read for the codes of the account pool: account states, the paced action kinds,
// outbox statuses and group purposes. Plain data with type-only imports: the server and the console
// read this one table.
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
