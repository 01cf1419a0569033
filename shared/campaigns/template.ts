// Message templates: text with {{variable}} or {{variable|fallback}} placeholders. Parsing and checking
// are pure; rendering happens in SQL (see render-query.ts), so a run renders 50,000 messages in the
// same statement that selects the audience, and the preview shows exactly what would be sent.
import { DomainError, type FieldProblem } from '../errors'

export type TemplatePart = { text: string } | { variable: string; fallback: string | null }

const placeholder = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g
const variableName = /^[a-z][a-z0-9_]*$/

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateSyntaxError'
  }
}

/** Split a template into literal text and placeholders. Throws TemplateSyntaxError on a malformed one. */
export function parseTemplate(source: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let last = 0
  for (const match of source.matchAll(placeholder)) {
    const before = source.slice(last, match.index)
    if (before.includes('{{')) throw new TemplateSyntaxError('模板中有未闭合的 {{')
    if (before) parts.push({ text: before })
    const name = match[1]!
    if (!variableName.test(name))
      throw new TemplateSyntaxError(name ? `变量名 ${name} 不合法` : '模板中有空的 {{}}')
    parts.push({ variable: name, fallback: match[2] ?? null })
    last = match.index + match[0].length
  }
  const rest = source.slice(last)
  if (rest.includes('{{')) throw new TemplateSyntaxError('模板中有未闭合的 {{')
  if (rest) parts.push({ text: rest })
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
      parts = parseTemplate(t.source)
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
