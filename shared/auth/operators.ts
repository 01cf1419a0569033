// Operators as the administrator manages them (create, disable, reset password, change role, the bot
// accounts an advisor serves) and the sessions each has open (listed, revoked, ended at logout).
import { and, asc, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Clock } from '../clock'
import type { Db } from '../db/client'
import { isUniqueViolation, violatedConstraint } from '../db/errors'
import { DomainError, notFound } from '../errors'
import { members } from '../db/schema/members'
import { hashPassword, verifyPassword } from './service'
import { operatorAccounts, operatorRoles, operatorSessions, operators } from '../db/schema/auth'

/** A password operators may choose: long enough, and never the shipped default. */
export const newPasswordSchema = z
  .string()
  .min(8, '密码至少 8 位')
  .max(200)
  .refine((p) => p !== 'admin12345', '不能使用默认密码')

const accountIds = z.array(z.number().int().positive()).max(100)

export const operatorCreateSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.@-]{2,64}$/, '用户名只能包含字母、数字和 _ . @ -'),
  displayName: z.string().trim().min(1).max(50),
  role: z.enum(operatorRoles),
  password: newPasswordSchema,
  /** For advisors: the bot accounts whose members and chats they serve. */
  accountIds: accountIds.optional(),
})

export const operatorPatchSchema = z.object({
  displayName: z.string().trim().min(1).max(50).optional(),
  role: z.enum(operatorRoles).optional(),
  disabled: z.boolean().optional(),
  accountIds: accountIds.optional(),
})

export async function listOperators(db: Db) {
  const rows = await db.select().from(operators).orderBy(asc(operators.id))
  const links = await db.select().from(operatorAccounts)
  return rows.map((op) => ({
    id: op.id,
    username: op.username,
    displayName: op.displayName,
    role: op.role,
    disabled: op.disabledAt !== null,
    mustChangePassword: op.mustChangePassword,
    accountIds: links.filter((l) => l.operatorId === op.id).map((l) => l.accountId),
    createdAt: op.createdAt.toISOString(),
  }))
}
export type OperatorView = Awaited<ReturnType<typeof listOperators>>[number]

async function viewOf(db: Db, id: number): Promise<OperatorView> {
  const found = (await listOperators(db)).find((o) => o.id === id)
  if (!found) throw notFound('运营人员', 'operator_not_found')
  return found
}

async function setAccounts(tx: Parameters<Parameters<Db['transaction']>[0]>[0], id: number, ids: number[]) {
  await tx.delete(operatorAccounts).where(eq(operatorAccounts.operatorId, id))
  if (!ids.length) return
  try {
    await tx
      .insert(operatorAccounts)
      .values([...new Set(ids)].map((accountId) => ({ operatorId: id, accountId })))
  } catch (err) {
    if (violatedConstraint(err)?.startsWith('operator_accounts_account_id'))
      throw new DomainError('account_not_found', '顾问账号不存在', 400, [
        { path: 'accountIds', message: '顾问账号不存在' },
      ])
    throw err
  }
}

/** A new operator signs in with the password given here once, and must then choose their own. */
export async function addOperator(
  db: Db,
  input: z.infer<typeof operatorCreateSchema>,
): Promise<OperatorView> {
  const id = await db.transaction(async (tx) => {
    let row: { id: number } | undefined
    try {
      ;[row] = await tx
        .insert(operators)
        .values({
          username: input.username,
          displayName: input.displayName,
          role: input.role,
          passwordHash: await hashPassword(input.password),
          mustChangePassword: true,
        })
        .returning({ id: operators.id })
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError('username_taken', '用户名已存在', 409, [
          { path: 'body.username', message: '用户名已存在' },
        ])
      throw err
    }
    if (input.accountIds) await setAccounts(tx, row!.id, input.accountIds)
    return row!.id
  })
  return viewOf(db, id)
}

/** Change name, role, accounts or disable; a new role or a disabled operator ends their sessions. */
export async function updateOperator(
  db: Db,
  clock: Clock,
  actorId: number,
  id: number,
  patch: z.infer<typeof operatorPatchSchema>,
): Promise<OperatorView> {
  if (id === actorId && (patch.disabled || (patch.role && patch.role !== 'admin')))
    throw new DomainError('cannot_demote_self', '不能停用自己或取消自己的管理员角色', 409)
  await db.transaction(async (tx) => {
    const [op] = await tx.select().from(operators).where(eq(operators.id, id)).for('update')
    if (!op) throw notFound('运营人员', 'operator_not_found')
    const set: Partial<typeof operators.$inferInsert> = {}
    if (patch.displayName !== undefined) set.displayName = patch.displayName
    if (patch.role !== undefined) set.role = patch.role
    if (patch.disabled !== undefined) set.disabledAt = patch.disabled ? (op.disabledAt ?? clock.now()) : null
    if (Object.keys(set).length) await tx.update(operators).set(set).where(eq(operators.id, id))
    if (patch.accountIds) await setAccounts(tx, id, patch.accountIds)
    if (patch.disabled || (patch.role && patch.role !== op.role))
      await tx.delete(operatorSessions).where(eq(operatorSessions.operatorId, id))
  })
  return viewOf(db, id)
}

/** A new password set by the administrator: every session ends, and the operator must change it. */
export async function resetOperatorPassword(db: Db, id: number, password: string): Promise<OperatorView> {
  const [row] = await db
    .update(operators)
    .set({ passwordHash: await hashPassword(password), mustChangePassword: true })
    .where(eq(operators.id, id))
    .returning({ id: operators.id })
  if (!row) throw notFound('运营人员', 'operator_not_found')
  await db.delete(operatorSessions).where(eq(operatorSessions.operatorId, id))
  return viewOf(db, id)
}

/** The operator's own change: the current password proves it is them; other sessions end. */
export async function changeOwnPassword(
  db: Db,
  operatorId: number,
  sessionId: number,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const [op] = await db.select().from(operators).where(eq(operators.id, operatorId))
  if (!op || !(await verifyPassword(input.currentPassword, op.passwordHash)))
    throw new DomainError('invalid_credentials', '当前密码不正确', 400, [
      { path: 'body.currentPassword', message: '当前密码不正确' },
    ])
  if (input.currentPassword === input.newPassword)
    throw new DomainError('password_unchanged', '新密码不能与当前密码相同', 400, [
      { path: 'body.newPassword', message: '新密码不能与当前密码相同' },
    ])
  await db
    .update(operators)
    .set({ passwordHash: await hashPassword(input.newPassword), mustChangePassword: false })
    .where(eq(operators.id, operatorId))
  await db
    .delete(operatorSessions)
    .where(and(eq(operatorSessions.operatorId, operatorId), ne(operatorSessions.id, sessionId)))
}

export async function listSessions(db: Db, clock: Clock, operatorId: number) {
  const rows = await db
    .select({
      id: operatorSessions.id,
      ip: operatorSessions.ip,
      userAgent: operatorSessions.userAgent,
      createdAt: operatorSessions.createdAt,
      expiresAt: operatorSessions.expiresAt,
    })
    .from(operatorSessions)
    .where(and(eq(operatorSessions.operatorId, operatorId), gt(operatorSessions.expiresAt, clock.now())))
    .orderBy(asc(operatorSessions.id))
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  }))
}

/** End one session (logout is revoking one's own). */
export async function revokeSession(db: Db, operatorId: number, sessionId: number): Promise<void> {
  const gone = await db
    .delete(operatorSessions)
    .where(and(eq(operatorSessions.operatorId, operatorId), eq(operatorSessions.id, sessionId)))
    .returning({ id: operatorSessions.id })
  if (!gone.length) throw notFound('会话', 'session_not_found')
}

/** The bot accounts an advisor serves. */
export async function advisorAccountIds(db: Db, operatorId: number): Promise<number[]> {
  const rows = await db
    .select({ accountId: operatorAccounts.accountId })
    .from(operatorAccounts)
    .where(eq(operatorAccounts.operatorId, operatorId))
  return rows.map((r) => r.accountId)
}

/** Whether a member is assigned to one of the advisor's bot accounts (members.advisor_account_id). */
export async function memberInAdvisorScope(db: Db, operatorId: number, memberId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: members.id })
    .from(members)
    .where(
      and(
        eq(members.id, memberId),
        inArray(
          members.advisorAccountId,
          db
            .select({ id: operatorAccounts.accountId })
            .from(operatorAccounts)
            .where(eq(operatorAccounts.operatorId, operatorId)),
        ),
      ),
    )
  return Boolean(row)
}

/** The advisor's own members: those assigned to their bot accounts (not merged away). */
export async function advisorMembers(db: Db, operatorId: number, page: { limit: number; offset: number }) {
  const ids = await advisorAccountIds(db, operatorId)
  if (!ids.length) return { items: [], total: 0 }
  const where = and(inArray(members.advisorAccountId, ids), isNull(members.mergedIntoId))
  const [rows, [counted]] = await Promise.all([
    db
      .select({
        id: members.id,
        name: members.name,
        nickname: members.nickname,
        accountId: members.advisorAccountId,
      })
      .from(members)
      .where(where)
      .orderBy(asc(members.id))
      .limit(page.limit)
      .offset(page.offset),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(members)
      .where(where),
  ])
  return { items: rows, total: counted?.n ?? 0 }
}
