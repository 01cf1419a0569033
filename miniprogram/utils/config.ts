// Where the mini-program finds the store's server. Change API_BASE for each environment (it must be a
// request domain configured in the mini-program's admin console for release builds).
export const API_BASE = 'http://127.0.0.1:3000'

/** Storage key of the member's bearer token. */
export const TOKEN_KEY = 'memberToken'
/** Storage key of the share code the member arrived with, until it has been claimed. */
export const SHARE_CODE_KEY = 'arrivalShareCode'

/**
 * Subscribe-message template ids (from the mini-program admin console) offered to the member after
 * payment (order shipped, points expiring, campaign reminders). Empty: nothing is asked.
 */
export const SUBSCRIBE_TEMPLATE_IDS: string[] = []
/** Storage key of this device's demo identity (used only when the server runs in demo mode). */
export const DEVICE_ID_KEY = 'demoDeviceId'
