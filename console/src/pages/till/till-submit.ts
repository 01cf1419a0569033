// How the till's forms send a change: the server's problems go onto the field they name (under the
// form's own field name, e.g. `body.amountFen` onto 元 `amount`), anything else above the form.
import { useState } from 'react'
import type { FormInstance } from 'antd'
import { asApiError, fieldErrors, type ApiError } from '../../api'

/**
 * `fields` maps the server's field names to the form's; `codes` puts a refusal that names no field
 * (e.g. `receipt_already_recorded`) onto the field it is about.
 */
export function useTillSubmit<F>(
  form: FormInstance<F>,
  fields: Record<string, keyof F & string>,
  codes: Record<string, keyof F & string> = {},
) {
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const run = async (change: () => Promise<void>, onRefused?: (e: ApiError) => void) => {
    setSaving(true)
    setError(null)
    try {
      await change()
    } catch (err) {
      const apiError = asApiError(err, '提交失败，请稍后重试')
      const onFields = fieldErrors(apiError, Object.keys(fields)).map((f) => ({
        name: fields[f.name]!,
        errors: f.errors,
      }))
      const byCode = codes[apiError.code]
      if (onFields.length) form.setFields(onFields as never)
      else if (byCode) form.setFields([{ name: byCode, errors: [apiError.message] }] as never)
      else setError(apiError.message)
      onRefused?.(apiError)
    } finally {
      setSaving(false)
    }
  }
  return { error, saving, run, clearError: () => setError(null) }
}
