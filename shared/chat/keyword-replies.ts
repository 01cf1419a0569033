// Keyword replies as data: a code, the words that trigger it, and the template of the answer, with the
// facts that fill the template (points, the member card, recent orders) read from the database. Every
// channel that answers keywords (the account pool's 1:1 chats, the official account) matches and fills
// through here, so a word or a template changed once changes everywhere.
import type { Db } from '../db/client'
import { cardFacts, pointsFacts, recentOrders } from './answers'
import { renderReply } from './reply-templates'

export type KeywordCode = 'points' | 'card' | 'orders' | 'human'

export interface KeywordReply {
  code: KeywordCode
  keywords: string[]
  /** A template (shared/template.ts) over replyVariables.keyword (shared/chat/reply-templates.ts). */
  template: string
}

export const defaultKeywordReplies: KeywordReply[] = [
  {
    code: 'points',
    keywords: ['积分', '查积分', '我的积分'],
    template: '{{name}}您好，您当前可用积分 {{points}} 分。{{expiring}}积分可在小程序「积分商城」兑换好礼～',
  },
  {
    code: 'card',
    keywords: ['会员卡', '会员码', '我的等级', '会员等级'],
    template:
      '您的会员卡\n会员号：{{member_no}}\n等级：{{tiers}}\n可用积分：{{points}} 分\n到店结账时在小程序「会员卡」出示会员码即可。',
  },
  {
    code: 'orders',
    keywords: ['订单', '查订单', '物流', '快递', '发货'],
    template: '您最近的订单：\n{{orders}}\n详情请到小程序「我的订单」查看。',
  },
  {
    code: 'human',
    keywords: ['人工', '真人', '转人工', '客服'],
    template: '好的，已通知{{advisor}}本人，会尽快回复您～',
  },
]

/** Long messages are conversations, not commands: only short ones are read as keywords. */
const MAX_COMMAND_LENGTH = 12

export function matchKeyword(rules: readonly KeywordReply[], text: string): KeywordReply | null {
  const t = text.trim()
  if (!t || t.length > MAX_COMMAND_LENGTH) return null
  return (
    rules.find((r) => r.keywords.includes(t)) ??
    rules.find((r) => r.keywords.some((k) => t.includes(k))) ??
    null
  )
}

export const privacyReply =
  '为保护您的隐私，请先在小程序「我的顾问」获取绑定码并发给我，绑定后即可查询积分、会员卡和订单。'

/** The placeholders of a rule's template, for the member, at `at`. */
export async function keywordFacts(
  db: Db,
  rule: KeywordReply,
  memberId: number,
  at: Date,
  advisor: string,
): Promise<Record<string, string | number>> {
  const card = await cardFacts(db, memberId, at)
  const vars: Record<string, string | number> = {
    name: card.name,
    member_no: card.memberNo,
    points: card.points,
    tiers: card.tiers.length ? card.tiers.join('、') : '普通会员',
    advisor,
    expiring: '',
  }
  if (rule.code === 'points') {
    const p = await pointsFacts(db, memberId, at)
    vars.points = p.balance
    vars.expiring =
      p.expiringSoon > 0 ? `其中 ${p.expiringSoon} 分将于 ${p.expiringOn} 起陆续到期，记得使用哦。` : ''
  }
  if (rule.code === 'orders') {
    const orders = await recentOrders(db, memberId)
    vars.orders = orders.length ? orders.map((o) => o.line).join('\n') : '暂时还没有订单'
  }
  return vars
}

/** The answer to a matched rule, filled with the member's facts. */
export async function keywordAnswer(
  db: Db,
  rule: KeywordReply,
  memberId: number,
  at: Date,
  advisor: string,
): Promise<string> {
  return renderReply('keyword', rule.template, await keywordFacts(db, rule, memberId, at, advisor))
}
