// Validation messages that reach members and operators are in Simplified Chinese. Besides the zod
// schemas, every request input passes two checks that no schema has to remember: text free of NUL and
// lone surrogates (PostgreSQL refuses both) within a sane nesting depth, and integers that fit their
// column (int4, or bigint for ids).
import { z } from 'zod'
import type { FieldProblem } from './errors'

z.config(z.locales.zhCN())

export { z }

const INT4_MAX = 2_147_483_647
const INT4_MIN = -2_147_483_648
/** Deeper than any of our schemas nests; deeper input is refused before it is walked further. */
const MAX_DEPTH = 32
/** Keys whose integers are bigint columns (ids, and amounts summed over a member's life). */
const BIGINT_KEY = /^(id|ids|fen)$|Ids?$/

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why a text cannot be stored, or null when it can. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return '不能包含空字符（NUL）'
  if (LONE_SURROGATE.test(text)) return '包含无效的字符（不成对的代理项）'
  return null
}

type Visit = { value: unknown; path: (string | number)[] }

/** Walks a value breadth-first without recursion (hostile input may nest arbitrarily deep). */
function walk(root: unknown, prefix: string, visit: (v: Visit) => string | null | 'skip'): FieldProblem[] {
  const problems: FieldProblem[] = []
  const queue: Visit[] = [{ value: root, path: [] }]
  for (let i = 0; i < queue.length && problems.length < 20; i++) {
    const item = queue[i]!
    const verdict = visit(item)
    if (verdict === 'skip') continue
    if (verdict) {
      problems.push({ path: [prefix, ...item.path].join('.'), message: verdict })
      continue
    }
    const { value, path } = item
    if (value === null || typeof value !== 'object' || value instanceof Date) continue
    if (path.length >= MAX_DEPTH) {
      problems.push({ path: [prefix, ...path].join('.'), message: '嵌套层级过深' })
      continue
    }
    if (Array.isArray(value)) value.forEach((v, k) => queue.push({ value: v, path: [...path, k] }))
    else
      for (const [k, v] of Object.entries(value)) {
        const keyProblem = textProblem(k)
        if (keyProblem) problems.push({ path: [prefix, ...path].join('.'), message: `字段名${keyProblem}` })
        else queue.push({ value: v, path: [...path, k] })
      }
  }
  return problems
}

/** Problems of raw input (body, query or path parameters) that no schema should have to catch. */
export function hostileInputProblems(value: unknown, prefix: string): FieldProblem[] {
  return walk(value, prefix, ({ value: v }) => (typeof v === 'string' ? textProblem(v) : null))
}

/** Integers of parsed input outside the column they are stored in (int4; bigint for ids). */
export function integerRangeProblems(value: unknown, prefix: string): FieldProblem[] {
  return walk(value, prefix, ({ value: v, path }) => {
    if (typeof v !== 'number') return null
    if (!Number.isFinite(v)) return '数值无效'
    if (!Number.isInteger(v)) return null
    const bigint = path.some((p) => typeof p === 'string' && BIGINT_KEY.test(p))
    if (bigint) return Number.isSafeInteger(v) ? null : '数值过大'
    if (v > INT4_MAX) return `不能大于 ${INT4_MAX}`
    if (v < INT4_MIN) return `不能小于 ${INT4_MIN}`
    return null
  })
}

/** A link stored for display (avatars, images): https only, never javascript:, data: or plain http. */
export const httpsUrl = () => z.url({ protocol: /^https$/, error: '链接必须以 https:// 开头' }).max(500)

/**
 * The schema of a partial update: every field optional and none with a default, so a PATCH changes
 * what it names and nothing else (`.partial()` alone keeps the create schema's defaults).
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape: Record<string, z.ZodType> = {}
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    let inner: z.ZodType = field
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional)
      inner = (inner as z.ZodDefault<z.ZodType> | z.ZodOptional<z.ZodType>).unwrap() as z.ZodType
    shape[key] = inner.optional()
  }
  return z.object(shape) as unknown as z.ZodObject<{
    [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer I> ? I : T[K]>
  }>
}
