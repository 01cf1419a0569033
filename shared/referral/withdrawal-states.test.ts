import { expect, it } from 'vitest'
import { nextWithdrawalState } from './withdrawals'

it('withdrawals move requested → approved → paid, and can be rejected or cancelled only while waiting', () => {
  expect(nextWithdrawalState('requested', 'approve')).toBe('approved')
  expect(nextWithdrawalState('approved', 'pay')).toBe('paid')
  expect(nextWithdrawalState('requested', 'pay')).toBeNull()
  expect(nextWithdrawalState('requested', 'reject')).toBe('rejected')
  expect(nextWithdrawalState('approved', 'reject')).toBe('rejected')
  expect(nextWithdrawalState('requested', 'cancel')).toBe('cancelled')
  expect(nextWithdrawalState('approved', 'cancel')).toBeNull()
  for (const done of ['paid', 'rejected', 'cancelled'] as const)
    for (const action of ['approve', 'reject', 'pay', 'cancel'] as const)
      expect(nextWithdrawalState(done, action)).toBeNull()
})
