// The operator's login, kept in localStorage so a reload stays signed in until the token expires.
export interface OperatorSession {
  token: string
  expiresAt: string
  operator: {
    id: number
    username: string
    displayName: string
    role: string
    /** The initial (or a reset) password: the console shows only the password form until it is changed. */
    mustChangePassword?: boolean
    /** What the role may do (server/policy.ts); the menu shows only the sections it allows. */
    actions?: string[]
  }
}

const KEY = 'sup.console.session'

export function loadSession(): OperatorSession | null {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return null
    const session = JSON.parse(raw) as OperatorSession
    if (!session.token || Date.parse(session.expiresAt) <= Date.now()) {
      localStorage.removeItem(KEY)
      return null
    }
    return session
  } catch {
    return null
  }
}

export function saveSession(session: OperatorSession): void {
  localStorage.setItem(KEY, JSON.stringify(session))
}

export function clearSession(): void {
  localStorage.removeItem(KEY)
}

/**
 * Whether the signed-in role may do an action (server/policy.ts), to show only the buttons it can use.
 * A session saved before the server sent actions shows them all; the server still refuses.
 */
export function may(action: string): boolean {
  const actions = loadSession()?.operator.actions
  return !actions || actions.includes(action)
}
