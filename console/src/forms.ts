// The server names the field it refuses (`error.fields[].path`, e.g. `body.reason`); the form shows
// that message under that field, and only the rest as a notice.
import type { FormInstance } from 'antd'
import { ApiError } from './api/client'

/** `body.items.0.amount` → ['items', 0, 'amount'] (the form's name path). */
export function fieldName(path: string): (string | number)[] {
  const parts = path.split('.').filter(Boolean)
  if (['body', 'query', 'params'].includes(parts[0] ?? '')) parts.shift()
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p))
}

/**
 * Puts each field problem on the form's field of that name (or on `rename[path]`); returns the
 * message to show as a notice when some problem names no field of this form, or null.
 */
export function showServerErrors(
  form: FormInstance,
  error: unknown,
  rename: Record<string, string> = {},
): string | null {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : '操作失败，请稍后重试'
  const known = new Set(
    Object.keys(form.getFieldsValue() as Record<string, unknown>).concat(Object.values(rename)),
  )
  const placed: { name: (string | number)[]; errors: string[] }[] = []
  const unplaced: string[] = []
  for (const f of error.fields) {
    const name = rename[f.path] ? [rename[f.path]!] : fieldName(f.path)
    if (name.length && known.has(String(name[0]))) placed.push({ name, errors: [f.message] })
    else unplaced.push(f.message)
  }
  form.setFields(placed)
  if (placed.length && !unplaced.length) return null
  return unplaced.length ? unplaced.join('；') : error.message
}
