import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DomainError } from './errors'
import { defineRule, RuleRegistry, type Rule } from './rules'

interface ThresholdRule<A extends z.ZodType = z.ZodType> extends Rule<A> {
  check(value: number, args: z.output<A>): boolean
}
const thresholdRule = <A extends z.ZodType>(rule: ThresholdRule<A>) => defineRule(rule)

const atLeast = thresholdRule({
  code: 'at_least',
  title: '不少于',
  args: z.object({ min: z.number().int().min(0) }),
  check: (value, args) => value >= args.min,
})
const between = thresholdRule({
  code: 'between',
  title: '介于两数之间',
  args: z
    .object({ min: z.number().int(), max: z.number().int() })
    .refine((a) => a.min <= a.max, { message: '最小值不能大于最大值', path: ['max'] }),
  check: (value, args) => value >= args.min && value <= args.max,
})
const registry = new RuleRegistry<ThresholdRule>('测试规则', [atLeast, between], {
  invalidArgsCode: 'invalid_test_rule',
})

const thrown = (f: () => unknown) => {
  try {
    f()
  } catch (err) {
    return err
  }
  throw new Error('did not throw')
}

describe('rule registry', () => {
  it('finds a rule by its code and parses its args with the rule schema', () => {
    expect(registry.codes).toEqual(['at_least', 'between'])
    expect(registry.has('between')).toBe(true)
    expect(registry.find('nope')).toBeUndefined()
    const { rule, args } = registry.parse({ code: 'at_least', args: { min: 3 } })
    expect(rule).toBe(atLeast)
    expect(rule.check(3, args)).toBe(true)
    expect(rule.check(2, args)).toBe(false)
  })

  it('refuses an unknown code with a DomainError in Chinese naming the code field', () => {
    const err = thrown(() => registry.get('mystery', ['rules', 2])) as DomainError
    expect(err).toBeInstanceOf(DomainError)
    expect(err).toMatchObject({ code: 'unknown_rule', status: 400 })
    expect(err.message).toBe('没有这种测试规则：「mystery」')
    expect(err.fields).toEqual([{ path: 'rules.2.code', message: '没有这种测试规则：「mystery」' }])
    expect(thrown(() => registry.parse({ code: 'mystery', args: {} }))).toMatchObject({
      code: 'unknown_rule',
    })
  })

  it('refuses bad args on their own fields, with the code the kind answers', () => {
    const err = thrown(() =>
      registry.parse({ code: 'between', args: { min: 5, max: 1 } }, ['body', 'rule']),
    ) as DomainError
    expect(err).toMatchObject({ code: 'invalid_test_rule', status: 400 })
    expect(err.message).toBe('测试规则「between」的参数不正确')
    expect(err.fields).toEqual([{ path: 'body.rule.args.max', message: '最小值不能大于最大值' }])
    const checked = registry.check({ code: 'at_least', args: { min: -1 } }, ['rules', 0])
    expect(checked.ok).toBe(false)
    expect(!checked.ok && checked.problems.map((p) => p.path)).toEqual(['rules.0.args.min'])
  })

  it('gives the stored-row schemas and the catalogue operators choose from', () => {
    expect(registry.rowSchema.parse({ code: 'at_least' })).toEqual({ code: 'at_least', args: {} })
    expect(registry.rowSchema.safeParse({ code: 'nope', args: {} }).success).toBe(false)
    const bad = registry.checkedRowSchema.safeParse({ code: 'at_least', args: { min: 'x' } })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues[0]!.path).toEqual(['args', 'min'])
    expect(registry.catalogue()[0]).toMatchObject({
      code: 'at_least',
      title: '不少于',
      args: { type: 'object', properties: { min: { type: 'integer' } } },
    })
  })

  it('refuses codes that are not snake_case and two rules with one code', () => {
    expect(() => thresholdRule({ ...atLeast, code: 'AtLeast' })).toThrow(/snake_case/)
    expect(() => new RuleRegistry<ThresholdRule>('测试规则', [atLeast, atLeast])).toThrow(/two rules/)
  })
})
