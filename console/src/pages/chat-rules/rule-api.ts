// The shapes of 话术与关键词, from the OpenAPI document, and the server's refusals placed on the form
// field they name: `body.value.1.keywords.0` → the keywords of the second rule.
import type { Answer, FieldProblem } from '../../api'

export type ChatRules = Answer<'/chat-rules'>
export type KeywordReplies = ChatRules['keywordReplies']['value']
export type WelcomeTexts = ChatRules['welcomeTexts']['value']
export type FeedbackLexicon = ChatRules['feedbackLexicon']['value']
export type RuleTestResult = Answer<'/chat-rules/test', 'post'>

/** The three settings edited here: the API path of each, and its place in GET /chat-rules. */
export const ruleKinds = {
  keywords: { path: 'keyword-replies', field: 'keywordReplies', title: '关键词回复' },
  welcomes: { path: 'welcome-texts', field: 'welcomeTexts', title: '欢迎语' },
  lexicon: { path: 'feedback-lexicon', field: 'feedbackLexicon', title: '反馈词库' },
} as const

export type RuleKind = keyof typeof ruleKinds

/** Fields holding a list of words as one tag input: a problem with one word shows on the list. */
const tagLists = new Set(['keywords', 'words', 'patterns'])

/**
 * Where a problem goes in a form whose values are `{value: …}`: `body.value.1.keywords.0` →
 * ['value', 1, 'keywords']. `prefix` is the request field holding the form's value.
 */
export function formFieldOf(path: string, prefix = 'body.value'): (string | number)[] | null {
  if (path !== prefix && !path.startsWith(`${prefix}.`)) return null
  const parts: (string | number)[] = [
    'value',
    ...path
      .slice(prefix.length)
      .split('.')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
  ]
  const last = parts.at(-1)
  if (typeof last === 'number' && tagLists.has(String(parts.at(-2)))) parts.pop()
  return parts.length > 1 ? parts : null
}

/** The server's problems as antd `Form.setFields` entries, and those that name no field of the form. */
export function placeProblems(fields: FieldProblem[], prefix = 'body.value') {
  const placed = new Map<string, { name: (string | number)[]; errors: string[] }>()
  const elsewhere: FieldProblem[] = []
  for (const f of fields) {
    const name = formFieldOf(f.path, prefix)
    if (!name) {
      elsewhere.push(f)
      continue
    }
    const key = name.join('.')
    const entry = placed.get(key) ?? { name, errors: [] }
    entry.errors.push(f.message)
    placed.set(key, entry)
  }
  return { placed: [...placed.values()], elsewhere }
}
