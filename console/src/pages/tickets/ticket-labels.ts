// What a feedback ticket says to an operator: the Chinese name and colour of its category (the codes the
// bot records: the feedback lexicon's complaint, suggestion, praise and the 转人工 keyword's handoff),
// and the chat messages kept on it, read defensively from the ticket's JSON column.
import type { Answer } from '../../api'

export type Ticket = Answer<'/tickets'>['items'][number]
export type TicketStatus = 'open' | 'resolved'

export const categoryLabels: Record<string, string> = {
  complaint: '投诉',
  suggestion: '建议',
  handoff: '转人工',
  praise: '表扬',
}

export const categoryColors: Record<string, string> = {
  complaint: 'red',
  suggestion: 'blue',
  handoff: 'orange',
  praise: 'green',
}

/** A brand's own lexicon may add categories: those show as their code. */
export const categoryLabel = (code: string) => categoryLabels[code] ?? code

/** One chat message the ticket holds: when it was said, what was said and the words that caught it. */
export interface TicketMessage {
  at: string | null
  text: string
  matched: string | null
  category: string | null
}

const stringOrNull = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)

/** The ticket's `messages`, oldest first; entries that are not messages are left out. */
export function ticketMessages(messages: unknown): TicketMessage[] {
  if (!Array.isArray(messages)) return []
  return messages.flatMap((m: unknown) => {
    if (typeof m !== 'object' || m === null) return []
    const entry = m as Record<string, unknown>
    if (typeof entry.text !== 'string') return []
    return [
      {
        at: stringOrNull(entry.at),
        text: entry.text,
        matched: stringOrNull(entry.matched),
        category: stringOrNull(entry.category),
      },
    ]
  })
}

/** The message an operator reads first in the inbox: the latest one. */
export const lastMessage = (t: Ticket): TicketMessage | undefined => ticketMessages(t.messages).at(-1)
