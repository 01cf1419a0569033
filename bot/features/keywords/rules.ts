// Keyword replies as data: a code, the words that trigger it, and the template of the answer. Operators
// (or a brand's config) change the words and templates; the answers' facts come from the database.
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
