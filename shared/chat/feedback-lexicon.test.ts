import { describe, expect, it } from 'vitest'
import { compileLexicon, defaultFeedbackLexicon } from './feedback-lexicon'

const lexicon = compileLexicon(defaultFeedbackLexicon)

describe('feedback lexicon', () => {
  it('catches complaints by word and by pattern', () => {
    expect(lexicon.match('精华用了三天脸过敏了')).toMatchObject({ category: 'complaint', matched: '过敏' })
    expect(lexicon.match('下单一周了怎么还没发货')).toMatchObject({
      category: 'complaint',
      matched: '怎么还没发货',
    })
    expect(lexicon.match('售后一直不回消息')).toMatchObject({ category: 'complaint' })
  })
  it('catches suggestions', () => {
    expect(lexicon.match('能不能出一个小样装呢')).toMatchObject({ category: 'suggestion' })
    expect(lexicon.match('建议面霜换个包装')).toMatchObject({ category: 'suggestion', matched: '建议' })
  })
  it('leaves ordinary chat alone', () => {
    expect(lexicon.match('谢谢，收到了，很好用')).toBeNull()
    expect(lexicon.match('积分')).toBeNull()
  })
  it('takes a brand lexicon', () => {
    const own = compileLexicon([{ category: 'praise', label: '表扬', words: ['好评'], patterns: [] }])
    expect(own.match('给你们好评')).toMatchObject({ category: 'praise', label: '表扬' })
    expect(own.match('过敏')).toBeNull()
  })
})
