// Bearer-token auth: operators (console, store staff) and members (mini-program) are separate realms.
import type { Middleware } from 'koa'
import { hashToken, memberPrincipal, memberStanding, resolveOperatorSession } from '../../shared/auth/service'
import { DomainError } from '../../shared/errors'
import type { AppDeps, AppState } from '../deps'
import { bindLog } from './request-context'

function bearer(header: string): string | null {
  const m = /^Bearer\s+([\w\-.~+/=]{16,200})$/.exec(header)
  return m ? m[1]! : null
}

/** Who the operator is; what they may do is decided per operation by the policy table (authorize.ts). */
export function operatorAuth(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearer(ctx.get('authorization'))
    const operator = token ? await resolveOperatorSession(deps.db, deps.clock, token) : null
    if (!operator) throw new DomainError('unauthorized', '请先登录', 401)
    ctx.state.operator = operator
    bindLog(ctx.state, { operatorId: operator.id })
    await next()
  }
}

/** How long a member's standing (merges, levels) may be served from the cache at most. */
const STANDING_TTL_MS = 60_000
/** How long a session lookup may be served at most (sessions only ever expire). */
const SESSION_TTL_MS = 10 * 60_000
const NO_SESSION = { memberId: 0, expiresAt: 0 }

/** The member a token acts as and their levels: from the read caches when there are any. */
async function memberBehind(
  deps: AppDeps,
  token: string,
): Promise<{ memberId: number; levelIds: number[] } | null> {
  const at = deps.clock.now()
  const caches = deps.readCaches
  if (!caches) return memberPrincipal(deps.db, hashToken(token), at)
  let fresh: Awaited<ReturnType<typeof memberPrincipal>> = null
  // Keyed by the token itself (this process holds it anyway for the request): a hit hashes nothing.
  const session = await caches.sessions.get(token, async () => {
    fresh = await memberPrincipal(deps.db, hashToken(token), at)
    if (!fresh) return { value: NO_SESSION, ttlMs: 0 }
    const left = fresh.sessionExpiresAt.getTime() - at.getTime()
    return {
      value: { memberId: fresh.sessionMemberId, expiresAt: fresh.sessionExpiresAt.getTime() },
      ttlMs: Math.min(left, SESSION_TTL_MS),
    }
  })
  if (session === NO_SESSION || session.expiresAt <= at.getTime()) return null
  return caches.members.get(session.memberId, async () => {
    const standing = fresh ?? (await memberStanding(deps.db, session.memberId, at))
    const untilChange = standing.levelsChangeAt ? standing.levelsChangeAt.getTime() - at.getTime() : Infinity
    return {
      value: { memberId: standing.memberId, levelIds: standing.levelIds },
      ttlMs: Math.max(0, Math.min(STANDING_TTL_MS, untilChange)),
    }
  })
}

export function memberAuth(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearer(ctx.get('authorization'))
    const member = token ? await memberBehind(deps, token) : null
    if (!member) throw new DomainError('unauthorized', '登录已过期，请重新登录', 401)
    ctx.state.memberId = member.memberId
    ctx.state.levelIds = member.levelIds
    bindLog(ctx.state, { memberId: member.memberId })
    await next()
  }
}

/**
 * For what a visitor may read (catalogue, flash sales, group buys): a valid member token adds the
 * member's levels (member prices), no token or a stale one reads as a guest.
 */
export function optionalMemberAuth(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearer(ctx.get('authorization'))
    const member = token ? await memberBehind(deps, token) : null
    if (member) {
      ctx.state.memberId = member.memberId
      ctx.state.levelIds = member.levelIds
      bindLog(ctx.state, { memberId: member.memberId })
    }
    await next()
  }
}
