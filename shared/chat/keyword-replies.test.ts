import { describe, expect, it } from 'vitest'
import { defaultKeywordReplies, matchKeyword } from './keyword-replies'

describe('keyword replies', () => {
  it('answers the four keywords, exact or inside a short message', () => {
    expect(matchKeyword(defaultKeywordReplies, '积分')?.code).toBe('points')
    expect(matchKeyword(defaultKeywordReplies, ' 我的积分 ')?.code).toBe('points')
    expect(matchKeyword(defaultKeywordReplies, '会员卡')?.code).toBe('card')
    expect(matchKeyword(defaultKeywordReplies, '我的订单呢')?.code).toBe('orders')
    expect(matchKeyword(defaultKeywordReplies, '人工')?.code).toBe('human')
  })
  it('leaves conversation alone', () => {
    expect(matchKeyword(defaultKeywordReplies, '你好')).toBeNull()
    expect(
      matchKeyword(defaultKeywordReplies, '上次买的精华用完了，想问问积分能不能抵扣一部分运费呢'),
    ).toBeNull()
  })
  it('uses the configured words', () => {
    const rules = [{ code: 'points' as const, keywords: ['jf'], template: '{{points}}' }]
    expect(matchKeyword(rules, 'jf')?.code).toBe('points')
    expect(matchKeyword(rules, '积分')).toBeNull()
  })
})
