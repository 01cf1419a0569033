// Which rule a sample message would hit, for operators checking keyword replies and the feedback
// lexicon before (or after) they save them: the same matchers the bot and the official account use.
import { bindCodeIn } from './binding'
import { compileLexicon, type FeedbackCategory, type FeedbackMatch } from './feedback-lexicon'
import { explainKeyword, MAX_COMMAND_LENGTH, type KeywordReply } from './keyword-replies'
import { renderReply, replyVariables } from './reply-templates'

export interface ChatRuleTestResult {
  /** The keyword rule a 1:1 message (or an official-account message) would answer, with the answer. */
  keyword: {
    code: string
    index: number
    keyword: string
    how: 'exact' | 'contains'
    /** The answer filled with example values. */
    answer: string
  } | null
  /** Why no keyword was looked for: too long to be a command, or a binding code. */
  keywordSkipped: 'too_long' | 'bind_code' | 'empty' | null
  /** The feedback category the message would open a ticket in (in 1:1 chats and groups). */
  feedback: (FeedbackMatch & { index: number }) | null
}

const examples = Object.fromEntries(replyVariables.keyword.map((v) => [v.name, v.example]))

export function testChatRules(input: {
  text: string
  keywordReplies: readonly KeywordReply[]
  feedbackLexicon: FeedbackCategory[]
}): ChatRuleTestResult {
  const t = input.text.trim()
  const bindCode = bindCodeIn(t)
  const hit = bindCode ? null : explainKeyword(input.keywordReplies, t)
  const feedback = compileLexicon(input.feedbackLexicon).match(t)
  return {
    keyword: hit
      ? {
          code: hit.rule.code,
          index: input.keywordReplies.indexOf(hit.rule),
          keyword: hit.keyword,
          how: hit.how,
          answer: renderReply('keyword', hit.rule.template, examples),
        }
      : null,
    keywordSkipped: hit
      ? null
      : !t
        ? 'empty'
        : bindCode
          ? 'bind_code'
          : t.length > MAX_COMMAND_LENGTH
            ? 'too_long'
            : null,
    feedback: feedback
      ? { ...feedback, index: input.feedbackLexicon.findIndex((c) => c.category === feedback.category) }
      : null,
  }
}
