import { describe, expect, it } from 'vitest'
import { defaultFeedbackLexicon } from './feedback-lexicon'
import { defaultKeywordReplies, keywordRepliesSchema } from './keyword-replies'
import { testChatRules } from './rule-test'
import { welcomeTextsSchema, defaultWelcomeTexts } from './welcome-texts'

const test = (text: string) =>
  testChatRules({ text, keywordReplies: defaultKeywordReplies, feedbackLexicon: defaultFeedbackLexicon })

describe('which rule a sample message hits', () => {
  it('names the keyword rule, the word and how it matched, with the answer filled with examples', () => {
    expect(test('积分')).toMatchObject({
      keyword: { code: 'points', index: 0, keyword: '积分', how: 'exact' },
    })
    expect(test('查一下我的积分')?.keyword).toMatchObject({ keyword: '我的积分', how: 'contains' })
    expect(test('转人工')?.keyword?.answer).toBe('好的，已通知小美本人，会尽快回复您～')
  })
  it('says why no keyword was looked for', () => {
    expect(test('上次买的精华用完了，想问问积分能不能抵扣运费')).toMatchObject({
      keyword: null,
      keywordSkipped: 'too_long',
    })
    expect(test('绑定码 123456').keywordSkipped).toBe('bind_code')
    expect(test('  ').keywordSkipped).toBe('empty')
    expect(test('你好')).toMatchObject({ keyword: null, keywordSkipped: null, feedback: null })
  })
  it('names the feedback category, by word or pattern', () => {
    expect(test('下单一周了怎么还没发货').feedback).toMatchObject({
      category: 'complaint',
      index: 0,
      matched: '怎么还没发货',
    })
    expect(test('建议出个小样').feedback).toMatchObject({ category: 'suggestion', index: 1 })
  })
})

describe('the stored shapes', () => {
  it('accept the defaults', () => {
    expect(keywordRepliesSchema.parse(defaultKeywordReplies)).toEqual(defaultKeywordReplies)
    expect(welcomeTextsSchema.parse(defaultWelcomeTexts)).toEqual(defaultWelcomeTexts)
  })
  it('refuse a keyword too long to be a command and a keyword in two rules, on the word', () => {
    const result = keywordRepliesSchema.safeParse([
      { code: 'a', keywords: ['这一句话已经超过十二个字了吧'], template: 'x' },
      { code: 'b', keywords: ['积分', '积分'], template: 'y' },
    ])
    expect(result.success).toBe(false)
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['0.keywords.0', '1.keywords.1'])
  })
})
