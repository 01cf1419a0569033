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

export type OperatorIdentity = Pick<
  Operator,
  'id' | 'username' | 'displayName' | 'role' | 'mustChangePassword'
>
/** The operator behind a request, and which of their sessions it came with. */
export type OperatorPrincipal = OperatorIdentity & { sessionId: number }

const identityColumns = {
  id: operators.id,
  username: operators.username,
  displayName: operators.displayName,
  role: operators.role,
  mustChangePassword: operators.mustChangePassword,
}

/** Compared against when the user name is unknown, so the answer takes as long as for a known one. */
let decoyHash: Promise<string> | undefined

export async function createOperator(
  db: Db,
  input: {
    username: string
    displayName: string
    role: OperatorRole
    password: string
    mustChangePassword?: boolean
  },
): Promise<OperatorIdentity> {
  const [row] = await db
    .insert(operators)
    .values({ ...input, passwordHash: await hashPassword(input.password) })
    .returning(identityColumns)
  return row!
}

/** Creates the first administrator ("admin") when the brand has no operator yet. */
export async function ensureInitialAdmin(db: Db, password: string): Promise<boolean> {
  const existing = await db.select({ id: operators.id }).from(operators).limit(1)
  if (existing.length > 0) return false
  await createOperator(db, {
    username: 'admin',
    displayName: '管理员',
    role: 'admin',
    password,
    mustChangePassword: true,
  })
  return true
}

export async function loginOperator(
  db: Db,
  clock: Clock,
  input: { username: string; password: string },
  ttlHours: number,
  from: { ip?: string; userAgent?: string } = {},
): Promise<{ token: string; expiresAt: Date; operator: OperatorIdentity }> {
  const [op] = await db
    .select()
    .from(operators)
    .where(and(eq(operators.username, input.username), isNull(operators.disabledAt)))
  // An unknown user name costs the same scrypt as a wrong password: timing does not tell them apart.
  const stored = op?.passwordHash ?? (await (decoyHash ??= hashPassword(randomBytes(16).toString('hex'))))
  const matches = await verifyPassword(input.password, stored)
  if (!op || !matches) {
    throw new DomainError('invalid_credentials', '用户名或密码错误', 401)
  }
  return { ...(await openOperatorSession(db, clock, op.id, ttlHours, from)), operator: identityOf(op) }
}

const identityOf = (op: Operator): OperatorIdentity => ({
  id: op.id,
  username: op.username,
  displayName: op.displayName,
  role: op.role,
  mustChangePassword: op.mustChangePassword,
})

export async function openOperatorSession(
  db: Db,
  clock: Clock,
  operatorId: number,
  ttlHours: number,
  from: { ip?: string; userAgent?: string } = {},
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken()
  const expiresAt = new Date(clock.now().getTime() + ttlHours * 3600_000)
  await db.insert(operatorSessions).values({
    tokenHash: hashToken(token),
    operatorId,
    expiresAt,
    ip: from.ip?.slice(0, 64),
    userAgent: from.userAgent?.slice(0, 300),
  })
  return { token, expiresAt }
}

export async function resolveOperatorSession(
  db: Db,
  clock: Clock,
  token: string,
): Promise<OperatorPrincipal | null> {
  const [row] = await db
    .select({ ...identityColumns, sessionId: operatorSessions.id })
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
