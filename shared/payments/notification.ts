// Opening a WeChat Pay v3 callback: check the signature and timestamp first (a forged or replayed
// callback is refused before anything is parsed), then decrypt the AEAD_AES_256_GCM resource.
import { z } from 'zod'
import {
  decryptAesGcm,
  verifyWechatpaySignature,
  type PlatformKeys,
  type SignatureCheck,
} from './wechatpay-crypto'

export const notificationSchema = z.object({
  id: z.string().min(1),
  create_time: z.string(),
  event_type: z.string().min(1),
  resource_type: z.string(),
  summary: z.string().optional(),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    nonce: z.string().min(1),
    associated_data: z.string().optional().default(''),
    original_type: z.string().optional(),
  }),
})
export type Notification = z.infer<typeof notificationSchema>

/** Why a callback was refused. `unauthenticated` ones answer 401 and change nothing. */
export class NotificationRefused extends Error {
  constructor(
    readonly reason: string,
    readonly status: 400 | 401,
  ) {
    super(`WeChat Pay notification refused: ${reason}`)
    this.name = 'NotificationRefused'
  }
}

export interface OpenedNotification {
  notification: Notification
  /** The decrypted resource, as WeChat sent it (JSON text). */
  plaintext: string
}

export function openNotification(
  request: { headers: Record<string, string | string[] | undefined>; rawBody: string },
  options: { keys: PlatformKeys; apiV3Key: string; nowSeconds: number; maxSkewSeconds?: number },
): OpenedNotification {
  const header = (name: string) => {
    const v = request.headers[name.toLowerCase()]
    return Array.isArray(v) ? v[0] : v
  }
  const check: SignatureCheck = verifyWechatpaySignature(
    {
      timestamp: header('wechatpay-timestamp'),
      nonce: header('wechatpay-nonce'),
      signature: header('wechatpay-signature'),
      serial: header('wechatpay-serial'),
    },
    request.rawBody,
    options.keys,
    options.nowSeconds,
    options.maxSkewSeconds,
  )
  if (!check.ok) throw new NotificationRefused(check.reason, 401)
  let parsed: Notification
  try {
    parsed = notificationSchema.parse(JSON.parse(request.rawBody))
  } catch {
    throw new NotificationRefused('malformed_body', 400)
  }
  let plaintext: string
  try {
    plaintext = decryptAesGcm(options.apiV3Key, {
      ciphertext: parsed.resource.ciphertext,
      nonce: parsed.resource.nonce,
      associatedData: parsed.resource.associated_data,
    })
  } catch {
    throw new NotificationRefused('undecryptable_resource', 400)
  }
  return { notification: parsed, plaintext }
}
