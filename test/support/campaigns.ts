// Test data for campaigns: advisor accounts, members reachable (or not) through them, campaigns
// approved through the same services operators use.
import { eq } from 'drizzle-orm'
import type { Db } from '../../shared/db/client'
import type { Clock } from '../../shared/clock'
import { botAccounts } from '../../shared/db/schema/chat'
import { memberIdentities, members } from '../../shared/db/schema/members'
import type { NewMember } from '../../shared/members/profile'
import { campaignInputSchema, type CampaignInput } from '../../shared/campaigns/definition'
import { approveCampaign, createCampaign } from '../../shared/campaigns/service'
import { campaignIntegrations, type CampaignIntegrations } from '../../shared/campaigns/integrations'
import { makeMember } from './factories'

let accountSeq = 0

export async function makeAccount(
  db: Db,
  fields: Partial<typeof botAccounts.$inferInsert> = {},
): Promise<typeof botAccounts.$inferSelect> {
  const n = `${process.pid}-${++accountSeq}`
  const [row] = await db
    .insert(botAccounts)
    .values({ name: `advisor-${n}`, displayName: `小美${accountSeq} · 专属顾问`, state: 'online', ...fields })
    .returning()
  return row!
}

/**
 * A member whose advisor is `accountId`; with a chat contact on that account unless `contact: false`.
 */
export async function makeReachableMember(
  db: Db,
  accountId: number | null,
  input: Partial<NewMember> & { contact?: boolean; optedOutAt?: Date; lastSeenAt?: Date } = {},
) {
  const { contact = true, optedOutAt, lastSeenAt, ...profile } = input
  const member = await makeMember(db, profile)
  await db
    .update(members)
    .set({ advisorAccountId: accountId, optedOutAt: optedOutAt ?? null, lastSeenAt: lastSeenAt ?? null })
    .where(eq(members.id, member.id))
  if (contact && accountId !== null)
    await db.insert(memberIdentities).values({
      memberId: member.id,
      kind: 'chat_contact',
      value: `${accountId}:wxid_${member.id}`,
      verified: true,
    })
  return member
}

export function campaignContext(
  db: Db,
  clock: Clock,
  integrations: CampaignIntegrations = campaignIntegrations,
) {
  return { db, clock, integrations }
}

export async function approvedCampaign(
  db: Db,
  clock: Clock,
  input: Partial<CampaignInput> & Pick<CampaignInput, 'kind'>,
  integrations: CampaignIntegrations = campaignIntegrations,
) {
  const ctx = campaignContext(db, clock, integrations)
  const parsed = campaignInputSchema.parse({
    name: '测试活动',
    channel: 'direct',
    variants: ['{{name|亲}}，您好'],
    schedule: { type: 'once' },
    ...input,
  })
  const created = await createCampaign(ctx, parsed, null)
  return approveCampaign(ctx, created.id, created.version, 1)
}
