// Keyword replies as data: a code, the words that trigger it, and the template of the answer, with the
// facts that fill the template (points, the member card, recent orders) read from the database. Every
// channel that answers keywords (the account pool's 1:1 chats, the official account) matches and fills
// through here, reading the stored rules when it answers, so a word or a template changed once changes
// everywhere without a restart. The code holds only the defaults.
import { z } from 'zod'
import type { Db } from '../db/client'
import { defineSetting, settingReader } from '../settings/settings'
import { cardFacts, pointsFacts, recentOrders } from './answers'
import { renderReply, replyTemplateSchema } from './reply-templates'

/** The codes with their own facts or action; any other code answers its template as it is. */
export const builtInKeywordCodes = {
  points: { name: '查积分', does: '回复可用积分和即将到期的积分' },
  card: { name: '会员卡', does: '回复会员号、等级和积分' },
  orders: { name: '查订单', does: '回复最近的订单' },
  human: { name: '转人工', does: '开一张转人工工单，通知顾问本人' },
} as const

export type KeywordCode = keyof typeof builtInKeywordCodes | (string & {})

export interface KeywordReply {
  code: KeywordCode
  keywords: string[]
  /** A template (shared/template.ts) over replyVariables.keyword (shared/chat/reply-templates.ts). */
  template: string
}

/** Long messages are conversations, not commands: only short ones are read as keywords. */
export const MAX_COMMAND_LENGTH = 12

const keywordReplySchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, '编码只能用小写字母、数字和下划线，以字母开头，最多 32 位'),
  keywords: z
    .array(
      z
        .string()
        .trim()
        .min(1, '关键词不能为空')
        .max(
          MAX_COMMAND_LENGTH,
          `关键词最多 ${MAX_COMMAND_LENGTH} 个字（更长的消息按聊天处理，不会触发关键词）`,
        ),
    )
    .min(1, '至少填写一个关键词')
    .max(30, '一条规则最多 30 个关键词'),
  template: replyTemplateSchema('keyword'),
})

/** The stored keyword replies: codes unique, and a keyword in one rule only (else which answers?). */
export const keywordRepliesSchema = z
  .array(keywordReplySchema)
  .max(50, '最多 50 条关键词规则')
  .superRefine((rules, ctx) => {
    const codes = new Map<string, number>()
    const words = new Map<string, number>()
    rules.forEach((rule, i) => {
      if (codes.has(rule.code))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'code'],
          message: `编码 ${rule.code} 与第 ${codes.get(rule.code)! + 1} 条规则重复`,
        })
      else codes.set(rule.code, i)
      rule.keywords.forEach((word, j) => {
        const owner = words.get(word)
        if (owner !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'keywords', j],
            message:
              owner === i
                ? `关键词「${word}」重复`
                : `关键词「${word}」已在第 ${owner + 1} 条规则（${rules[owner]!.code}）中`,
          })
        else words.set(word, i)
      })
    })
  })

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

export function matchKeyword(rules: readonly KeywordReply[], text: string): KeywordReply | null {
  const t = text.trim()
  if (!t || t.length > MAX_COMMAND_LENGTH) return null
  return (
    rules.find((r) => r.keywords.includes(t)) ??
    rules.find((r) => r.keywords.some((k) => t.includes(k))) ??
    null
  )
}

export interface KeywordHit {
  rule: KeywordReply
  /** The keyword that decided it. */
  keyword: string
  /** The whole message is the keyword, or the keyword is inside a short message. */
  how: 'exact' | 'contains'
}

/** Which rule a message hits and why: the whole message is a keyword first, else a keyword inside it. */
export function explainKeyword(rules: readonly KeywordReply[], text: string): KeywordHit | null {
  const rule = matchKeyword(rules, text)
  if (!rule) return null
  const t = text.trim()
  if (rule.keywords.includes(t)) return { rule, keyword: t, how: 'exact' }
  const inside = rule.keywords.filter((k) => t.includes(k)).sort((x, y) => y.length - x.length)
  return { rule, keyword: inside[0]!, how: 'contains' }
}

export const keywordRepliesSetting = defineSetting({
  key: 'keyword_replies',
  name: '关键词回复',
  schema: keywordRepliesSchema,
  defaultValue: defaultKeywordReplies,
})

/** The keyword replies in force now (stored, or the defaults). */
export const loadKeywordReplies: (db: Db) => Promise<KeywordReply[]> = settingReader(
  keywordRepliesSetting,
  (rules) => rules,
)

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
