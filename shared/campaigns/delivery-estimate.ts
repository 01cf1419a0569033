// When an advisor account will have sent a campaign, from what the account row says (its daily cap,
// quiet hours, what it sent today and what is queued ahead). It asks the chat domain's pacing rules —
// the same rules the bot's sender obeys — with every jittered gap at its expected value, so the
// estimate and the sender never disagree about the pace.
import {
  accountPolicy,
  defaultKindLimits,
  estimateFinish as pacedFinish,
  freshPacingState,
  NEVER,
  type PacingState,
} from '../chat/pacing'
import { shanghaiDate } from '../clock'

/** The 1:1 gap the pacing rules draw from, in seconds (shown with the estimate). */
export const ASSUMED_SEND_INTERVAL_SECONDS = {
  min: defaultKindLimits.direct.gapMs[0] / 1000,
  max: defaultKindLimits.direct.gapMs[1] / 1000,
} as const

export interface AccountPacing {
  dailyCap: number
  /** HH:MM Asia/Shanghai; equal start and end = no quiet hours. */
  quietStart: string
  quietEnd: string
  /** Proactive messages the account already sent today (they count against today's cap). */
  sentToday: number
  /** Messages already queued for the account, sent before this campaign's. */
  backlog: number
  /** The account's stored pacing overrides, if any. */
  pacing?: unknown
}

/**
 * The instant the last of `count` messages goes out, starting no earlier than `start`; null when the
 * account can never send (a daily cap of 0). The account is taken as past its warm-up.
 */
export function estimateFinish(pacing: AccountPacing, count: number, start: Date): Date | null {
  if (count <= 0) return start
  const policy = accountPolicy({ ...pacing, pacing: pacing.pacing ?? {} })
  const state: PacingState = {
    ...freshPacingState(),
    kinds: {
      direct: {
        nextAt: null,
        hour: null,
        inHour: 0,
        day: shanghaiDate(start),
        onDay: pacing.sentToday,
        pausedUntil: null,
      },
    },
  }
  const finish = pacedFinish(pacing.backlog + count, policy, start, 'direct', state, {
    firstDay: '2000-01-01',
  })
  return finish.getTime() >= NEVER.getTime() ? null : finish
}
