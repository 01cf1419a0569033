// Expected business failures carry a stable code and an HTTP status; the server renders them.
export interface FieldProblem {
  path: string
  message: string
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fields?: FieldProblem[],
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

/** A refusal that passes after a while (a lockout, a rate limit): answered 429 with `Retry-After`. */
export class RetryLaterError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, 429)
    this.name = 'RetryLaterError'
  }
}

export const notFound = (what: string, code = 'not_found') => new DomainError(code, `${what}不存在`, 404)
export const conflict = (code: string, message: string) => new DomainError(code, message, 409)
export const invalid = (path: string, message: string, code = 'invalid_input') =>
  new DomainError(code, message, 400, [{ path, message }])
