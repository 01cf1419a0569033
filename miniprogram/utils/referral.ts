// The share code a member arrived with (a shared page's ?ref=, or the scene of a mini-program code) is
// kept until it has been claimed after login; orders placed later carry it for attribution.
import { call } from './api'
import { SHARE_CODE_KEY } from './config'
import type { ClaimResult } from './types'

const CLAIMED_KEY = 'claimedShareCode'

/** Read a share code from the launch/show query; returns it when one was present. */
export function captureShareCode(query: Record<string, string | undefined> | undefined): string | null {
  if (!query) return null
  const raw = query.ref ?? (query.scene ? decodeURIComponent(query.scene) : undefined)
  const code = raw?.trim()
  if (!code || code.length > 64) return null
  wx.setStorageSync(SHARE_CODE_KEY, code)
  return code
}

export function arrivalShareCode(): string | undefined {
  const code = wx.getStorageSync(SHARE_CODE_KEY) as string | undefined
  return code || undefined
}

let claiming: Promise<ClaimResult | null> | null = null

/** Claim the stored code once (the server decides whether it attributes this member). */
export function claimShareCode(): Promise<ClaimResult | null> {
  if (!claiming) {
    claiming = claimOnce()
    claiming.then(
      () => (claiming = null),
      () => (claiming = null),
    )
  }
  return claiming
}

async function claimOnce(): Promise<ClaimResult | null> {
  const code = arrivalShareCode()
  if (!code || wx.getStorageSync(CLAIMED_KEY) === code) return null
  const result = await call('referralClaim', { body: { code }, silent: true })
  wx.setStorageSync(CLAIMED_KEY, code)
  if (result.attributed && result.referrerName) {
    wx.showToast({ title: `欢迎！来自 ${result.referrerName} 的邀请`, icon: 'none' })
  }
  return result
}
