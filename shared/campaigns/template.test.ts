import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DomainError } from '../errors'
import { checkTemplates, parseTemplate, variablesOf } from './template'

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
