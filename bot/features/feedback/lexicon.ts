// What counts as feedback: a lexicon of words and patterns per category, configurable per brand.
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
