// Test data through the same services the product uses.
import { createMember, type NewMember } from '../../shared/members/profile'
import { createMemberSession, createOperator, loginOperator } from '../../shared/auth/service'
import type { OperatorRole } from '../../shared/db/schema/auth'
import type { Db } from '../../shared/db/client'
import { systemClock } from '../../shared/clock'

let seq = 0
const unique = () => `${process.pid}${Date.now() % 100000}${++seq}`

/** A member with a unique phone and mini-program openid unless identities are given. */
export async function makeMember(db: Db, input: Partial<NewMember> = {}) {
  const n = unique()
  const phone = `139${n.slice(-8).padStart(8, '0')}`
  return createMember(db, {
    name: '测试会员',
    source: 'test',
    identities: [
      { kind: 'phone', value: phone },
      { kind: 'mp_openid', value: `oTest${n}` },
    ],
    ...input,
  })
}

export async function memberToken(db: Db, memberId: number): Promise<string> {
  return (await createMemberSession(db, systemClock, memberId, 24)).token
}

export async function operatorToken(db: Db, role: OperatorRole = 'admin'): Promise<string> {
  const username = `op${unique()}`
  await createOperator(db, { username, displayName: '测试运营', role, password: 'secret-pass-123' })
  return (await loginOperator(db, systemClock, { username, password: 'secret-pass-123' }, 24)).token
}
