// Every text the bot sends by default is a template in the one syntax, using only the variables its
// kind offers (shared/chat/reply-templates.ts).
import { describe, expect, it } from 'vitest'
import { checkReplyTemplates, renderReply, replyVariables } from '../../shared/chat/reply-templates'
import { defaultBindingTemplates } from './binding'
import { defaultWelcomeTexts } from '../../shared/chat/welcome-texts'
import { defaultKeywordReplies } from '../../shared/chat/keyword-replies'

const sources = (texts: Record<string, string>) =>
  Object.entries(texts).map(([path, source]) => ({ path, source }))

describe('the bot’s default texts', () => {
  it('use only their kind’s variables, in {{variable}} form', () => {
    const all = [
      ...defaultKeywordReplies.map((r) => r.template),
      ...Object.values(defaultWelcomeTexts),
      ...Object.values(defaultBindingTemplates),
    ]
    for (const text of all) expect(text).not.toMatch(/(?<!\{)\{[A-Za-z]\w*\}(?!\})/)
    checkReplyTemplates(
      'keyword',
      defaultKeywordReplies.map((r) => ({ path: r.code, source: r.template })),
    )
    checkReplyTemplates('welcome', [
      { path: 'friendBound', source: defaultWelcomeTexts.friendBound },
      { path: 'friendUnbound', source: defaultWelcomeTexts.friendUnbound },
    ])
    checkReplyTemplates('binding', sources(defaultBindingTemplates))
    checkReplyTemplates('groupWelcome', [{ path: 'welcome', source: defaultWelcomeTexts.groupWelcome }])
  })

  it('a template using a variable its kind does not offer is a 400 naming it and the offered ones', () => {
    expect(() =>
      checkReplyTemplates('binding', [{ path: 'body.bound', source: '{{name}}，会员号 {{member_no}}' }]),
    ).toThrow(
      expect.objectContaining({
        code: 'unknown_template_variable',
        status: 400,
        fields: [{ path: 'body.bound', message: '未知变量 {{name}}，可用的变量：member_no' }],
      }),
    )
    expect(replyVariables.binding.map((v) => v.name)).toEqual(['member_no'])
  })

  it('renders a welcome, and one stored in the old form alike', () => {
    const values = { name: '王丽', advisor: '小美', member_no: 'M10000001' }
    expect(renderReply('welcome', defaultWelcomeTexts.friendBound, values)).toBe(
      '王丽您好，我是您的专属顾问小美～已为您绑定会员（M10000001）。发送「积分」「会员卡」「订单」可随时查询，发送「人工」直接找我。',
    )
    expect(renderReply('welcome', '{name}您好，我是{advisor}（{memberNo}）', values)).toBe(
      '王丽您好，我是小美（M10000001）',
    )
    expect(
      renderReply('groupWelcome', defaultWelcomeTexts.groupWelcome, {
        names: '王丽',
        topic: 'V2 会员群',
        announcement: '',
      }),
    ).toBe('欢迎 王丽 加入「V2 会员群」！有任何问题随时在群里问我～')
  })
})
