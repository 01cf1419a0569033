// A refusal the server placed on a field stays until the operator changes that field: antd keeps errors
// set by `setFields` until the field validates again, and these fields have no client-side rules.
import type { FormInstance } from 'antd'

/** For `onValuesChange`: drop the server's errors on every field, once the operator edits again. */
export function clearServerErrors(form: FormInstance): void {
  const stale = form.getFieldsError().filter((f) => f.errors.length > 0)
  if (stale.length) form.setFields(stale.map((f) => ({ name: f.name, errors: [] })))
}
