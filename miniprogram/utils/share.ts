// Share paths carry the member's own share code (?ref=), fetched once and kept in storage.
import { call } from './api'
import type { ShareTarget } from './types'

const MY_CODE_KEY = 'myShareCode'

export function myShareCode(): string | undefined {
  const code = wx.getStorageSync(MY_CODE_KEY) as string | undefined
  return code || undefined
}

export async function loadMyShareCode(silent = false): Promise<ShareTarget> {
  const target = await call('referralCode', { silent })
  wx.setStorageSync(MY_CODE_KEY, target.code)
  return target
}

/** The page path with ?ref=<my code> (or &ref= when it already has a query). */
export function sharePath(path: string): string {
  const code = myShareCode()
  if (!code) {
    loadMyShareCode(true).catch(() => undefined)
    return path
  }
  return `${path}${path.includes('?') ? '&' : '?'}ref=${encodeURIComponent(code)}`
}
