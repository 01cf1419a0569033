import { describe, expect, it } from 'vitest'
import { decideAttribution, isNewMember, type AttributionFacts } from './attribution-rules'

const at = new Date('2026-03-10T12:00:00Z')
const base: AttributionFacts = {
  refereeId: 2,
  refereeCreatedAt: new Date('2026-03-10T11:00:00Z'),
  alreadyAttributed: false,
  sharer: { memberId: 1, operatorId: null },
  sharerAncestorIds: [],
  at,
  windowHours: 72,
}

describe('decideAttribution', () => {
  it('attributes a new member to the sharer', () => {
    expect(decideAttribution(base)).toBe('attributed')
  })

  it('refuses a member using their own code', () => {
    expect(decideAttribution({ ...base, sharer: { memberId: 2, operatorId: null } })).toBe('self_referral')
  })

  it('keeps the first touch', () => {
    expect(decideAttribution({ ...base, alreadyAttributed: true })).toBe('already_attributed')
  })

  it('a member older than the window is not new', () => {
    const old = new Date(at.getTime() - 72 * 3_600_000 - 1)
    expect(decideAttribution({ ...base, refereeCreatedAt: old })).toBe('not_new')
    const edge = new Date(at.getTime() - 72 * 3_600_000)
    expect(decideAttribution({ ...base, refereeCreatedAt: edge })).toBe('attributed')
  })

  it('refuses a loop: the referee is above the sharer', () => {
    expect(decideAttribution({ ...base, sharerAncestorIds: [7, 2, 9] })).toBe('cycle')
  })

  it('staff sharers can bring anyone new', () => {
    expect(decideAttribution({ ...base, sharer: { memberId: null, operatorId: 2 } })).toBe('attributed')
  })

  it('isNewMember counts hours', () => {
    expect(isNewMember(new Date('2026-03-09T12:00:00Z'), at, 24)).toBe(true)
    expect(isNewMember(new Date('2026-03-09T11:59:59Z'), at, 24)).toBe(false)
  })
})
