// Message templates, one syntax for every text the product sends (bot replies, welcomes, group
// welcomes, campaign wording): {{variable}} or {{variable|fallback}}. Parsing, checking and rendering
// are pure. Campaigns render the parsed parts in SQL (campaigns/render-query.ts), so a run renders
// 50,000 messages in the statement that selects the audience; the bot renders them here.
//
// The old bot form {variable} (memberNo for member_no) is still read, but only for a variable the
// template may use: texts stored before the one syntax keep working, and a literal {…} stays text.
import { DomainError, type FieldProblem } from './errors'

export type TemplatePart = { text: string } | { variable: string; fallback: string | null }

/** A variable offered to operators: its name in templates, what it means, an example value. */
export interface TemplateVariable {
  name: string
  label: string
  example: string
}

const placeholder = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g
const legacyPlaceholder = /(?<!\{)\{([A-Za-z][A-Za-z0-9_]*)\}(?!\})/g
const variableName = /^[a-z][a-z0-9_]*$/

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateSyntaxError'
  }
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** Literal text, with old-form {variable} placeholders of known variables read as variables. */
function textParts(text: string, legacy: ReadonlySet<string>): TemplatePart[] {
  if (legacy.size === 0 || !text.includes('{')) return [{ text }]
  const parts: TemplatePart[] = []
  let last = 0
  for (const match of text.matchAll(legacyPlaceholder)) {
    const name = snakeCase(match[1]!)
    if (!legacy.has(name)) continue
    if (match.index > last) parts.push({ text: text.slice(last, match.index) })
    parts.push({ variable: name, fallback: null })
    last = match.index + match[0].length
  }
  if (last < text.length) parts.push({ text: text.slice(last) })
  return parts
}

/**
 * Split a template into literal text and placeholders. Throws TemplateSyntaxError on a malformed one.
 * `known`: the variables the template may use, for reading the old {variable} form.
 */
export function parseTemplate(source: string, known: readonly string[] = []): TemplatePart[] {
  const legacy = new Set(known)
  const parts: TemplatePart[] = []
  let last = 0
  for (const match of source.matchAll(placeholder)) {
    const before = source.slice(last, match.index)
    if (before.includes('{{')) throw new TemplateSyntaxError('模板中有未闭合的 {{')
    if (before) parts.push(...textParts(before, legacy))
    const name = match[1]!
    if (!variableName.test(name))
      throw new TemplateSyntaxError(name ? `变量名 ${name} 不合法` : '模板中有空的 {{}}')
    parts.push({ variable: name, fallback: match[2] ?? null })
    last = match.index + match[0].length
  }
  const rest = source.slice(last)
  if (rest.includes('{{')) throw new TemplateSyntaxError('模板中有未闭合的 {{')
  if (rest) parts.push(...textParts(rest, legacy))
  return parts
}

export const variablesOf = (parts: TemplatePart[]): string[] => [
  ...new Set(parts.flatMap((p) => ('variable' in p ? [p.variable] : []))),
]

export interface TemplateSource {
  /** Where the template sits in the request, e.g. `body.variants.1`. */
  path: string
  source: string
}

/**
 * Parse every template and check each variable against those available. Unknown variables are a 400
 * that names each of them and where it is; a malformed template is a 400 too.
 */
export function checkTemplates(
  templates: TemplateSource[],
  available: readonly string[],
): Map<string, TemplatePart[]> {
  const known = new Set(available)
  const parsed = new Map<string, TemplatePart[]>()
  const syntax: FieldProblem[] = []
  const unknown: FieldProblem[] = []
  const unknownNames = new Set<string>()
  for (const t of templates) {
    let parts: TemplatePart[]
    try {
      parts = parseTemplate(t.source, available)
    } catch (err) {
      if (!(err instanceof TemplateSyntaxError)) throw err
      syntax.push({ path: t.path, message: err.message })
      continue
    }
    parsed.set(t.path, parts)
    for (const name of variablesOf(parts)) {
      if (known.has(name)) continue
      unknownNames.add(name)
      unknown.push({ path: t.path, message: `未知变量 {{${name}}}，可用的变量：${available.join('、')}` })
    }
  }
  if (syntax.length) throw new DomainError('invalid_template', '模板格式不正确', 400, syntax)
  if (unknown.length) {
    const names = [...unknownNames].map((n) => `{{${n}}}`).join('、')
    throw new DomainError('unknown_template_variable', `模板中有未知变量：${names}`, 400, unknown)
  }
  return parsed
}

export type TemplateValues = Record<string, string | number | null | undefined>

/**
 * Fill a template: a variable without a value (missing, null or '') gives its fallback, or nothing.
 * `known` as for parseTemplate; by default the variables given values.
 */
export function renderTemplate(
  template: string | TemplatePart[],
  values: TemplateValues,
  known: readonly string[] = Object.keys(values),
): string {
  const parts = typeof template === 'string' ? parseTemplate(template, known) : template
  return parts
    .map((p) => {
      if ('text' in p) return p.text
      const value = values[p.variable]
      return value === null || value === undefined || value === '' ? (p.fallback ?? '') : String(value)
    })
    .join('')
}
