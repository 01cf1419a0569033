// Every page shows one of four states while it reads from the server: loading, ready, empty, or the
// server's error with a retry button (the WXML block is the same on every page: see app.wxss .state).
import { messageOf } from './api'

export type LoadState = 'loading' | 'ready' | 'empty' | 'error'

export const initialLoadState = { state: 'loading' as LoadState, error: '' }

interface Settable {
  setData(data: Record<string, unknown>): void
}

/**
 * Run a page's load with its state shown: `work` returns true when there is nothing to show (empty).
 * Resolves either way; a failure becomes the 'error' state with the server's message.
 */
export async function withLoadState(page: Settable, work: () => Promise<boolean | void>): Promise<void> {
  page.setData({ state: 'loading', error: '' })
  try {
    const empty = await work()
    page.setData({ state: empty === true ? 'empty' : 'ready' })
  } catch (e) {
    page.setData({ state: 'error', error: messageOf(e) })
  }
}
