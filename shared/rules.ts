// Rules as data, in one shape for every kind of rule (lifecycle stages, tier rules, commission, points
// expiry, pacing, campaign kinds, super-user criteria): a stable code, zod-typed args and the pure
// functions of its kind (check, apply, …). Operators store a rule as `{code, args}`; the rules of a kind
// sit in one registry, which finds a rule by its code and parses its args, refusing an unknown code or
// bad args with an error an operator can read. Like Vendure's promotion conditions.
import { z } from 'zod'
import { DomainError, type FieldProblem } from './errors'

/** What every rule has; each kind adds its own pure functions (check, apply, …). */
export interface Rule<A extends z.ZodType = z.ZodType> {
  /** Stable snake_case code, stored with the args. */
  readonly code: string
  /** What the rule does, in Chinese, for operators. */
  readonly title: string
  /** The rule's arguments: what operators may set. */
  readonly args: A
}

/** A rule as stored and as operators send it. */
export interface RuleRow {
  code: string
  args?: unknown
}

/** A row found in its registry, with its args parsed by the rule's schema. */
export interface ParsedRow<R extends Rule> {
  rule: R
  code: string
  args: unknown
}

export type RowCheck<R extends Rule> =
  | ({ ok: true } & ParsedRow<R>)
  | { ok: false; code: 'unknown_rule' | 'invalid_args'; problems: FieldProblem[] }

const CODE = /^[a-z][a-z0-9_]*$/
type Path = readonly (string | number)[]
const joined = (path: Path) => path.join('.')

/**
 * Declares a rule. Each kind of rule wraps it with its own type, so that the args of its functions are
 * typed by the rule's schema: `const tierRule = <A extends z.ZodType>(r: TierRule<A>) => defineRule(r)`.
 */
export function defineRule<R extends Rule>(rule: R): R {
  if (!CODE.test(rule.code)) throw new Error(`rule code "${rule.code}" is not snake_case`)
  return rule
}

export interface RegistryOptions {
  /** The error code of bad args (default `invalid_rule_args`); kinds keep the code their API answers. */
  invalidArgsCode?: string
}

/** The rules of one kind, by code. */
export class RuleRegistry<R extends Rule> {
  private readonly byCode: ReadonlyMap<string, R>
  /** Every code, in the order the rules were given (for `z.enum`). */
  readonly codes: [string, ...string[]]

  /**
   * @param name the kind of rule in Chinese, as operators read it in errors (e.g. 等级规则)
   * @param rules the rules of the kind; two with one code are a programming error
   */
  constructor(
    readonly name: string,
    readonly rules: readonly R[],
    private readonly options: RegistryOptions = {},
  ) {
    if (rules.length === 0) throw new Error(`${name}: a registry needs at least one rule`)
    const byCode = new Map<string, R>()
    for (const rule of rules) {
      if (byCode.has(rule.code)) throw new Error(`${name}: two rules with the code "${rule.code}"`)
      byCode.set(rule.code, rule)
    }
    this.byCode = byCode
    this.codes = rules.map((r) => r.code) as [string, ...string[]]
  }

  has(code: string): boolean {
    return this.byCode.has(code)
  }

  /** The rule of a code, or undefined (for callers that skip what they do not know). */
  find(code: string): R | undefined {
    return this.byCode.get(code)
  }

  /** The rule of a code; an unknown code is refused (400 `unknown_rule`, naming the field `code`). */
  get(code: string, path: Path = []): R {
    const rule = this.byCode.get(code)
    if (!rule) {
      const message = this.unknownMessage(code)
      throw new DomainError('unknown_rule', message, 400, [{ path: joined([...path, 'code']), message }])
    }
    return rule
  }

  /** Problems of a rule's args, each on its field under `path` (empty when they parse). */
  argsProblems(rule: R, args: unknown, path: Path = []): FieldProblem[] {
    const parsed = rule.args.safeParse(args ?? {})
    if (parsed.success) return []
    return parsed.error.issues.map((i) => ({
      path: joined([...path, ...i.path.map(String)]),
      message: i.message,
    }))
  }

  /** Check a stored row without throwing: its rule and parsed args, or the problems under `path`. */
  check(row: RuleRow, path: Path = []): RowCheck<R> {
    const rule = this.byCode.get(row.code)
    if (!rule)
      return {
        ok: false,
        code: 'unknown_rule',
        problems: [{ path: joined([...path, 'code']), message: this.unknownMessage(row.code) }],
      }
    const parsed = rule.args.safeParse(row.args ?? {})
    if (!parsed.success)
      return {
        ok: false,
        code: 'invalid_args',
        problems: this.argsProblems(rule, row.args, [...path, 'args']),
      }
    return { ok: true, rule, code: rule.code, args: parsed.data }
  }

  /** A stored row's rule and parsed args; an unknown code or bad args are refused (400, on their fields). */
  parse(row: RuleRow, path: Path = []): ParsedRow<R> {
    const result = this.check(row, path)
    if (result.ok) return { rule: result.rule, code: result.code, args: result.args }
    if (result.code === 'unknown_rule')
      throw new DomainError('unknown_rule', this.unknownMessage(row.code), 400, result.problems)
    throw new DomainError(
      this.options.invalidArgsCode ?? 'invalid_rule_args',
      `${this.name}「${row.code}」的参数不正确`,
      400,
      result.problems,
    )
  }

  /** The schema of a row as operators send it: a known code, args an object (checked later). */
  get rowSchema() {
    return z.object({ code: z.enum(this.codes), args: z.record(z.string(), z.unknown()).default({}) })
  }

  /** The same, with the args checked against the rule's schema (issues on `args.<field>`). */
  get checkedRowSchema() {
    return this.rowSchema.superRefine((value, ctx) => {
      const rule = this.byCode.get(value.code)
      const parsed = rule?.args.safeParse(value.args)
      if (parsed && !parsed.success)
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', path: ['args', ...issue.path.map(String)], message: issue.message })
    })
  }

  /** What operators choose from: each rule's code, title and args as JSON Schema. */
  catalogue(): { code: string; title: string; args: Record<string, unknown> }[] {
    return this.rules.map((r) => ({
      code: r.code,
      title: r.title,
      args: z.toJSONSchema(r.args, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    }))
  }

  private unknownMessage(code: string): string {
    return `没有这种${this.name}：「${code}」`
  }
}
