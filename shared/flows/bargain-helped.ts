// A friend helped a member's bargain. The cut is the bargain's business; a friend who is new to the
// brand and arrived through the bargain is also the starter's referral (the referral programme's usual
// rules decide: the attribution window, first touch, no loops), recorded as a touch either way.
import type { Db } from '../db/client'
import { helpBargain } from '../bargain/service'
import type { RandomInt } from '../bargain/cuts'
import { attributeNewMember } from '../referral/attribution'
import type { TouchOutcome } from '../db/schema/referral'
import { shareCodeOf } from '../referral/share-codes'

export async function helpFriendsBargain(
  db: Db,
  input: { bargainId: number; helperId: number; at: Date; random?: RandomInt },
) {
  const { help, bargain } = await helpBargain(db, input)
  const code = await shareCodeOf(db, { memberId: bargain.memberId })
  const attribution = await attributeNewMember(db, {
    refereeId: input.helperId,
    code: code.code,
    at: input.at,
  })
  const referral: TouchOutcome = attribution.outcome
  return { help, bargain, referral }
}
