import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DomainError } from './errors'
import { checkTemplates, parseTemplate, renderTemplate, variablesOf } from './template'

describe('template parsing', () => {
  it('splits text and placeholders, with optional spaces and a fallback', () => {
    expect(parseTemplate('{{ name | 亲 }}，{{festival}}快乐！')).toEqual([
      { variable: 'name', fallback: '亲' },
      { text: '，' },
      { variable: 'festival', fallback: null },
      { text: '快乐！' },
    ])
    expect(variablesOf(parseTemplate('{{a}}{{b}}{{a}}'))).toEqual(['a', 'b'])
  })

  it('refuses an unclosed or empty placeholder and a bad name', () => {
    expect(() => parseTemplate('{{name，你好')).toThrow('未闭合')
    expect(() => parseTemplate('你好{{}}')).toThrow('空的')
    expect(() => parseTemplate('{{名字}}')).toThrow('不合法')
  })

  it('keeps any text without placeholders as it is', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('{{') && s.length > 0),
        (s) => {
          expect(parseTemplate(s)).toEqual([{ text: s }])
        },
      ),
    )
  })
})

describe('checking templates against the variables available', () => {
  it('names every unknown variable and where it is, in one 400', () => {
    let error: unknown
    try {
      checkTemplates(
        [
          { path: 'body.variants.0', source: '{{name}}好' },
          { path: 'body.variants.1', source: '{{nmae}}好，{{cupon}}' },
        ],
        ['name', 'coupon'],
      )
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(DomainError)
    expect(error).toMatchObject({ code: 'unknown_template_variable', status: 400 })
    expect((error as DomainError).message).toBe('模板中有未知变量：{{nmae}}、{{cupon}}')
    expect((error as DomainError).fields!.map((f) => f.path)).toEqual(['body.variants.1', 'body.variants.1'])
    expect((error as DomainError).fields![0]!.message).toContain('可用的变量：name、coupon')
  })

  it('returns the parsed templates when every variable is known', () => {
    const parsed = checkTemplates([{ path: 'x', source: '{{name}}' }], ['name'])
    expect(parsed.get('x')).toEqual([{ variable: 'name', fallback: null }])
  })
})

describe('rendering', () => {
  it('fills variables, and a fallback or nothing for a missing or empty value', () => {
    expect(renderTemplate('{{name|亲}}，您有{{points}}积分{{note}}', { name: '王丽', points: 1280 })).toBe(
      '王丽，您有1280积分',
    )
    expect(renderTemplate('{{name|亲}}，您好', { name: '' })).toBe('亲，您好')
    expect(renderTemplate('{{name|亲}}，您好', { name: null })).toBe('亲，您好')
  })

  it('reads the old {variable} form for the variables the template may use, and nothing else', () => {
    expect(renderTemplate('{name}您好（{memberNo}）', { name: '王丽', member_no: 'M1' })).toBe(
      '王丽您好（M1）',
    )
    expect(renderTemplate('{name} 回复 {1} 或 {other}', { name: '王丽' })).toBe('王丽 回复 {1} 或 {other}')
    expect(parseTemplate('{name}好')).toEqual([{ text: '{name}好' }])
    expect(parseTemplate('{name}，{{points}}', ['name', 'points'])).toEqual([
      { variable: 'name', fallback: null },
      { text: '，' },
      { variable: 'points', fallback: null },
    ])
  })

  it('checks an old-form template against the same list', () => {
    const parsed = checkTemplates([{ path: 'x', source: '{memberNo}' }], ['member_no'])
    expect(parsed.get('x')).toEqual([{ variable: 'member_no', fallback: null }])
  })
})
