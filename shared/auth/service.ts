// Operator passwords and bearer sessions for operators and mini-program members.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { and, eq, gt, isNull, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db } from '../db/client'
import type { Clock } from '../clock'
import { DomainError } from '../errors'
import {
  memberSessions,
  operatorSessions,
  operators,
  type Operator,
  type OperatorRole,
} from '../db/schema/auth'
import { heldLevelsSql, levelsChangeAtSql } from '../db/schema/loyalty'

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scrypt(password, salt, 32)
  return `${salt.toString('hex')}:${hash.toString('hex')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [saltHex, hashHex] = stored.split(':')
  if (!saltHex || !hashHex) return false
  const expected = Buffer.from(hashHex, 'hex')
  const actual = await scrypt(password, Buffer.from(saltHex, 'hex'), expected.length)
  return timingSafeEqual(actual, expected)
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')
const newToken = () => randomBytes(32).toString('base64url')

export type OperatorIdentity = Pick<Operator, 'id' | 'username' | 'displayName' | 'role'>

export async function createOperator(
  db: Db,
  input: { username: string; displayName: string; role: OperatorRole; password: string },
): Promise<OperatorIdentity> {
  const [row] = await db
    .insert(operators)
    .values({ ...input, passwordHash: await hashPassword(input.password) })
    .returning({
      id: operators.id,
      username: operators.username,
      displayName: operators.displayName,
      role: operators.role,
    })
  return row!
}

/** Creates the first administrator ("admin") when the brand has no operator yet. */
export async function ensureInitialAdmin(db: Db, password: string): Promise<boolean> {
  const existing = await db.select({ id: operators.id }).from(operators).limit(1)
  if (existing.length > 0) return false
  await createOperator(db, { username: 'admin', displayName: '管理员', role: 'admin', password })
  return true
}

export async function loginOperator(
  db: Db,
  clock: Clock,
  input: { username: string; password: string },
  ttlHours: number,
): Promise<{ token: string; expiresAt: Date; operator: OperatorIdentity }> {
  const [op] = await db
    .select()
    .from(operators)
    .where(and(eq(operators.username, input.username), isNull(operators.disabledAt)))
  if (!op || !(await verifyPassword(input.password, op.passwordHash))) {
    throw new DomainError('invalid_credentials', '用户名或密码错误', 401)
  }
  const token = newToken()
  const expiresAt = new Date(clock.now().getTime() + ttlHours * 3600_000)
  await db.insert(operatorSessions).values({ tokenHash: hashToken(token), operatorId: op.id, expiresAt })
  return {
    token,
    expiresAt,
    operator: { id: op.id, username: op.username, displayName: op.displayName, role: op.role },
  }
}

export async function resolveOperatorSession(
  db: Db,
  clock: Clock,
  token: string,
): Promise<OperatorIdentity | null> {
  const [row] = await db
    .select({
      id: operators.id,
      username: operators.username,
      displayName: operators.displayName,
      role: operators.role,
    })
    .from(operatorSessions)
    .innerJoin(operators, eq(operators.id, operatorSessions.operatorId))
    .where(
      and(
        eq(operatorSessions.tokenHash, hashToken(token)),
        gt(operatorSessions.expiresAt, clock.now()),
        isNull(operators.disabledAt),
      ),
    )
  return row ?? null
}

export async function createMemberSession(
  db: Db,
  clock: Clock,
  memberId: number,
  ttlHours: number,
  sessionKey?: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken()
  const expiresAt = new Date(clock.now().getTime() + ttlHours * 3600_000)
  await db.insert(memberSessions).values({ tokenHash: hashToken(token), memberId, expiresAt, sessionKey })
  return { token, expiresAt }
}

/** The member behind a mini-program token, following a merge to the surviving member. */
export async function resolveMemberSession(db: Db, clock: Clock, token: string): Promise<number | null> {
  return (await memberPrincipal(db, hashToken(token), clock.now()))?.memberId ?? null
}

/** A member session and its member as they stand now, with how long each fact holds. */
export interface MemberPrincipal {
  /** The member the session was opened for… */
  sessionMemberId: number
  sessionExpiresAt: Date
  /** …and the member it acts as now: the survivor of any merge. */
  memberId: number
  /** The tier levels that member holds now (their member prices apply). */
  levelIds: number[]
  /** When a level starts or ends next, changing `levelIds` without a write; null when none will. */
  levelsChangeAt: Date | null
}

const principalColumns = (memberId: SQL, now: SQL) =>
  sql`array(${heldLevelsSql(memberId, now)}) as level_ids,
      (${levelsChangeAtSql(memberId, now)}) as levels_change_at`

type StandingRow = {
  member_id: number
  level_ids: number[] | null
  levels_change_at: Date | string | null
}
const standingFrom = (row: StandingRow) => ({
  memberId: Number(row.member_id),
  levelIds: (row.level_ids ?? []).map(Number),
  levelsChangeAt: row.levels_change_at ? new Date(row.levels_change_at) : null,
})

/** The principal behind a token hash, in one query; null for an unknown or expired session. */
export async function memberPrincipal(db: Db, tokenHash: string, at: Date): Promise<MemberPrincipal | null> {
  const now = sql`${at.toISOString()}::timestamptz`
  const [row] = await queryRows<StandingRow & { session_member_id: number; expires_at: Date | string }>(
    db,
    sql`select s.member_id as session_member_id, s.expires_at, x.member_id,
          ${principalColumns(sql`x.member_id`, now)}
        from member_sessions s join members m on m.id = s.member_id
        cross join lateral (select coalesce(m.merged_into_id, m.id) as member_id) x
        where s.token_hash = ${tokenHash} and s.expires_at > ${now}`,
  )
  if (!row) return null
  return {
    sessionMemberId: Number(row.session_member_id),
    sessionExpiresAt: new Date(row.expires_at),
    ...standingFrom(row),
  }
}

/** Where a member stands now: the survivor of any merge, and the levels held (see MemberPrincipal). */
export async function memberStanding(
  db: Db,
  memberId: number,
  at: Date,
): Promise<Pick<MemberPrincipal, 'memberId' | 'levelIds' | 'levelsChangeAt'>> {
  const now = sql`${at.toISOString()}::timestamptz`
  const [row] = await queryRows<StandingRow>(
    db,
    sql`select x.member_id, ${principalColumns(sql`x.member_id`, now)}
        from members m cross join lateral (select coalesce(m.merged_into_id, m.id) as member_id) x
        where m.id = ${memberId}`,
  )
  return row ? standingFrom(row) : { memberId, levelIds: [], levelsChangeAt: null }
}
