// The features every account runs, in order: interactions first (every message on the timeline), then
// binding, opt-out, keywords, feedback, shares, friendship and groups. Each is a Wechaty plugin.
import type { WechatyPlugin } from 'wechaty'
import type { AccountContext } from '../context'
import { Binding } from './binding'
import { Feedback, type FeedbackConfig } from './feedback'
import { FriendshipFeature } from './friendship'
import { Groups } from './groups'
import { Interactions } from './interactions'
import { Keywords, type KeywordsConfig } from './keywords'
import { OptOut } from './opt-out'
import { Shares } from './shares'

export interface FeatureSettings {
  /** The advisor's name used in replies (the account's display name before the " · "). */
  advisorName: string
  storeHosts?: string[]
  miniProgramAppIds?: string[]
  keywordReplies?: KeywordsConfig['replies']
  feedbackLexicon?: FeedbackConfig['lexicon']
}

export function accountFeatures(ctx: AccountContext, settings: FeatureSettings): WechatyPlugin[] {
  return [
    Interactions({ ctx }),
    Binding({ ctx }),
    OptOut({ ctx }),
    Keywords({ ctx, advisorName: settings.advisorName, replies: settings.keywordReplies }),
    Feedback({ ctx, lexicon: settings.feedbackLexicon }),
    Shares({
      ctx,
      storeHosts: settings.storeHosts ?? [],
      miniProgramAppIds: settings.miniProgramAppIds ?? [],
    }),
    FriendshipFeature({ ctx, advisorName: settings.advisorName }),
    Groups({ ctx }),
  ]
}

/** "小美 · 专属顾问" → "小美". */
export const advisorNameOf = (displayName: string) => displayName.split(/\s*[·•|]\s*/)[0] || displayName
