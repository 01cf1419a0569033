// What counts as feedback: a lexicon of words and patterns per category, stored as data operators edit
// (with every version kept) and read by the bot when a message arrives; the code holds the default.
import { z } from 'zod'
import type { Db } from '../db/client'
import { defineSetting, settingReader } from '../settings/settings'

export interface FeedbackCategory {
  /** complaint, suggestion … (the ticket's category). */
  category: string
  /** Shown to operators and used as the member's tag, e.g. 投诉. */
  label: string
  words: string[]
  /** Regular expressions (source text), matched anywhere in the message. */
  patterns: string[]
}

export const defaultFeedbackLexicon: FeedbackCategory[] = [
  {
    category: 'complaint',
    label: '投诉',
    words: [
      '投诉',
      '差评',
      '太差',
      '质量问题',
      '过敏',
      '烂脸',
      '假货',
      '破损',
      '漏液',
      '不满意',
      '退货',
      '退款',
      '坏了',
      '发错',
    ],
    patterns: [
      '怎么还没(到|发货|收到)',
      '(客服|售后).{0,6}(不理|没人|不回)',
      '(用了|用完).{0,8}(起痘|泛红|刺痛)',
    ],
  },
  {
    category: 'suggestion',
    label: '建议',
    words: ['建议', '希望你们', '希望能', '要是能', '改进一下'],
    patterns: ['(能不能|可不可以|可以).{0,8}(出|增加|推出|上架).{0,12}(吗|呢|\\?|？)'],
  },
]

export interface FeedbackMatch {
  category: string
  label: string
  matched: string
}

export interface CompiledLexicon {
  match(text: string): FeedbackMatch | null
}

/** Compile once (outside the plugin closure); the first category that matches wins. */
export function compileLexicon(lexicon: FeedbackCategory[]): CompiledLexicon {
  const compiled = lexicon.map((c) => ({ ...c, regexes: c.patterns.map((p) => new RegExp(p)) }))
  return {
    match(text) {
      const t = text.trim()
      if (!t) return null
      for (const c of compiled) {
        const word = c.words.find((w) => t.includes(w))
        if (word) return { category: c.category, label: c.label, matched: word }
        for (const r of c.regexes) {
          const m = r.exec(t)
          if (m) return { category: c.category, label: c.label, matched: m[0] }
        }
      }
      return null
    },
  }
}

/** A pattern operators may store: a regular expression that compiles, short enough to read. */
const patternSchema = z
  .string()
  .trim()
  .min(1, '规则不能为空')
  .max(200, '规则最多 200 个字符')
  .superRefine((source, ctx) => {
    try {
      new RegExp(source)
    } catch {
      ctx.addIssue({ code: 'custom', message: `不是有效的正则表达式：${source}` })
    }
  })

const feedbackCategorySchema = z
  .object({
    category: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]{0,31}$/, '类别编码只能用小写字母、数字和下划线，以字母开头'),
    label: z.string().trim().min(1, '请填写类别名称').max(10, '类别名称最多 10 个字'),
    words: z
      .array(z.string().trim().min(1, '词语不能为空').max(20, '词语最多 20 个字'))
      .max(200, '每类最多 200 个词'),
    patterns: z.array(patternSchema).max(50, '每类最多 50 条规则'),
  })
  .superRefine((c, ctx) => {
    if (c.words.length === 0 && c.patterns.length === 0)
      ctx.addIssue({ code: 'custom', path: ['words'], message: '至少填写一个词语或一条规则' })
  })

export const feedbackLexiconSchema = z
  .array(feedbackCategorySchema)
  .max(20, '最多 20 个类别')
  .superRefine((lexicon, ctx) => {
    const seen = new Map<string, number>()
    lexicon.forEach((c, i) => {
      const first = seen.get(c.category)
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'category'],
          message: `类别 ${c.category} 与第 ${first + 1} 个类别重复`,
        })
      else seen.set(c.category, i)
    })
  })

export const feedbackLexiconSetting = defineSetting({
  key: 'feedback_lexicon',
  name: '反馈词库',
  schema: feedbackLexiconSchema,
  defaultValue: defaultFeedbackLexicon,
})

/** The lexicon in force now, compiled once per saved version. */
export const loadFeedbackLexicon: (db: Db) => Promise<CompiledLexicon> = settingReader(
  feedbackLexiconSetting,
  compileLexicon,
)
