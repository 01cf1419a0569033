// New friends: bind them if the greeting carries a code or a phone number, make this account their
// advisor if they have none, tag where they came from (a live code's channel, or the WeChat scene),
// and queue the acceptance in the paced outbox — friend acceptance is spread and capped per day like
// any risky action; the welcome follows the acceptance with a human reply delay. The welcome texts are
// the stored ones (shared/chat/welcome-texts.ts), read when a request arrives.
import { eq, sql } from 'drizzle-orm'
import { types, type Friendship, type Wechaty, type WechatyPlugin } from 'wechaty'
import { resolveChatMember } from '../../../shared/chat/contacts'
import { renderReply } from '../../../shared/chat/reply-templates'
import { botAccounts } from '../../../shared/db/schema/chat'
import { consumeLiveCodeScan } from '../../../shared/chat/live-codes'
import { enqueueOutbound } from '../../../shared/chat/outbox'
import { tagMember } from '../../../shared/chat/tagging'
import { loadWelcomeTexts, type WelcomeTexts } from '../../../shared/chat/welcome-texts'
import { maskPhones } from '../../../shared/logger'
import { recordMemberEvent } from '../../../shared/members/events'
import { members } from '../../../shared/db/schema/members'
import { guarded, type AccountContext } from '../../context'
import { bindContact } from '../../finders/bind-contact'
import { readGreeting, sourceTagName } from './matchers'

export interface FriendshipConfig {
  ctx: AccountContext
  /** The advisor's name used in welcomes, e.g. 小美. */
  advisorName: string
  /** Fixed welcomes (tests); by default the stored ones are read for every request. */
  templates?: Pick<WelcomeTexts, 'friendBound' | 'friendUnbound'>
  /** Accept requests automatically (default true). */
  autoAccept?: boolean
}

export function FriendshipFeature(config: FriendshipConfig): WechatyPlugin {
  const { ctx } = config
  const fixed = config.templates
  const autoAccept = config.autoAccept ?? true
  return function FriendshipPlugin(bot: Wechaty) {
    const onFriendship = guarded(ctx, 'friendship', async (friendship: Friendship) => {
      if (friendship.type() !== types.Friendship.Receive || !autoAccept) return
      const contact = friendship.contact()
      const hello = friendship.hello()
      const claim = readGreeting(hello)
      const bound = claim.kind === 'none' ? null : await bindContact(ctx, contact, claim)
      const at = ctx.clock.now()
      const member = bound?.ok
        ? bound.member
        : (
            await resolveChatMember(
              ctx.db,
              { accountId: ctx.accountId, contactId: contact.id, name: contact.name() },
              at,
            )
          ).member
      await ctx.db
        .update(members)
        .set({ advisorAccountId: sql`coalesce(${members.advisorAccountId}, ${ctx.accountId})` })
        .where(eq(members.id, member.id))
      await ctx.db
        .update(botAccounts)
        .set({ friendCount: sql`${botAccounts.friendCount} + 1` })
        .where(eq(botAccounts.id, ctx.accountId))
      const scene = (friendship as unknown as { payload?: { scene?: number } }).payload?.scene
      const channel = await consumeLiveCodeScan(ctx.db, { accountId: ctx.accountId, memberId: member.id, at })
      const source = channel?.name ?? sourceTagName(scene, claim)
      await recordMemberEvent(ctx.db, {
        memberId: member.id,
        type: 'friend_added',
        occurredAt: at,
        sourceKey: `friend:${ctx.accountId}:${friendship.id}`,
        payload: {
          accountId: ctx.accountId,
          contactId: contact.id,
          source,
          channel: channel?.channel ?? null,
          greeting: maskPhones(hello).slice(0, 200),
          boundBy: bound?.ok ? claim.kind : null,
        },
      })
      await tagMember(
        ctx.db,
        member.id,
        { dimension: 'friend_source', dimensionName: '加好友来源', name: source },
        at,
      )
      const templates = fixed ?? (await loadWelcomeTexts(ctx.db))
      const text = renderReply('welcome', bound?.ok ? templates.friendBound : templates.friendUnbound, {
        name: member.name ?? member.nickname ?? '',
        advisor: config.advisorName,
        member_no: member.memberNo,
      })
      const { created } = await enqueueOutbound(ctx.db, {
        dedupeKey: `friend:${ctx.accountId}:${friendship.id}`,
        accountId: ctx.accountId,
        kind: 'friend_accept',
        memberId: member.id,
        text: maskPhones(hello).slice(0, 200) || '好友申请',
        source: 'friend_request',
        payload: { friendshipId: friendship.id, welcome: text },
        notBefore: at,
        priority: 5,
      })
      if (created) ctx.onQueued?.(at)
    })
    bot.on('friendship', onFriendship)
    return () => {
      bot.off('friendship', onFriendship)
    }
  }
}
