// Binding a chat contact to the member it is, from a one-time code (sent as a message or in the friend
// request) or a phone number in the friend request; the member number goes into the contact's remark
// so the member is found again if the contact id changes after a re-login.
import type { Contact } from 'wechaty'
import { bindByCode, bindByPhone, type BindResult } from '../../shared/chat/binding'
import { aliasFor } from '../../shared/chat/contacts'
import type { AccountContext } from '../context'

export type ContactClaim =
  { kind: 'code'; code: string } | { kind: 'phone'; phone: string } | { kind: 'none' }

export async function bindContact(
  ctx: AccountContext,
  contact: Contact,
  claim: ContactClaim,
): Promise<BindResult | null> {
  const at = ctx.clock.now()
  const base = { accountId: ctx.accountId, contactId: contact.id, at }
  const result =
    claim.kind === 'code'
      ? await bindByCode(ctx.db, { ...base, code: claim.code })
      : claim.kind === 'phone'
        ? await bindByPhone(ctx.db, { ...base, phone: claim.phone })
        : null
  if (result?.ok) {
    try {
      await contact.alias(aliasFor(result.member))
    } catch (err) {
      // The binding stands; only the fallback remark is missing.
      ctx.logger.warn(
        { err, accountId: ctx.accountId, memberId: result.member.id },
        'contact remark not written',
      )
    }
  }
  return result
}
