// Recognising PostgreSQL errors by SQLSTATE, through drizzle's wrapping (`cause`).
function sqlState(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 3) return undefined
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  return sqlState((err as { cause?: unknown }).cause, depth + 1)
}

export const isUniqueViolation = (err: unknown) => sqlState(err) === '23505'
export const isCheckViolation = (err: unknown) => sqlState(err) === '23514'
export const isSerializationFailure = (err: unknown) => ['40001', '40P01'].includes(sqlState(err) ?? '')
/** The constraint a violation names, e.g. `points_accounts_balance_nonnegative`. */
export function violatedConstraint(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 3) return undefined
  const c = (err as { constraint?: unknown }).constraint
  return typeof c === 'string' ? c : violatedConstraint((err as { cause?: unknown }).cause, depth + 1)
}
