import { describe, expect, it } from 'vitest'
import { matchLink, matchMiniProgram, matchTextLinks } from './matchers'

const rules = { storeHosts: ['shop.example.cn'], miniProgramAppIds: ['wx0123456789abcdef'] }

describe('share matchers', () => {
  it('recognises our store links and the sharer code in them', () => {
    expect(matchLink(rules, 'https://shop.example.cn/p/12?sc=AB12')).toMatchObject({
      via: 'link',
      shareCode: 'AB12',
    })
    expect(matchLink(rules, 'https://m.shop.example.cn/p/12')).toMatchObject({ shareCode: null })
    expect(matchLink(rules, 'https://other.example.com/p/12?sc=AB12')).toBeNull()
    expect(matchLink(rules, 'not a url')).toBeNull()
  })
  it('finds a store link inside a text message', () => {
    expect(matchTextLinks(rules, '姐妹们看这个 https://shop.example.cn/p/9?share=Q9，超好用')).toMatchObject({
      shareCode: 'Q9',
    })
    expect(matchTextLinks(rules, '看看 https://example.com')).toBeNull()
  })
  it('recognises our mini-program cards only', () => {
    expect(
      matchMiniProgram(rules, {
        appid: 'wx0123456789abcdef',
        title: '修护面霜',
        pagePath: 'pages/product/index?id=3&sc=Z1',
      }),
    ).toMatchObject({ via: 'mini_program', title: '修护面霜', shareCode: 'Z1' })
    expect(matchMiniProgram(rules, { appid: 'wxffffffffffffffff', title: '别家' })).toBeNull()
  })
})
