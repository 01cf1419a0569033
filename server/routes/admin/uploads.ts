// Photo uploads for the catalogue: the raw image as the body, stored on the server's disk.
import { z } from 'zod'
import { readImage, storeImage } from '../../uploads/images'
import type { ApiRouter } from '../../api-router'
import type { AppDeps } from '../../deps'

export const uploadedImageSchema = z.object({
  /** Where the image is served, to put in a product's `images`. */
  url: z.string(),
  bytes: z.number().int(),
  contentType: z.string(),
})

export function registerAdminUploads(api: ApiRouter, deps: AppDeps): void {
  api.post(
    '/uploads/images',
    {
      summary: '上传商品图片',
      description:
        '请求体为图片本身，Content-Type 为 image/jpeg、image/png 或 image/webp，不超过 5MB；文件内容须与类型一致。',
      response: uploadedImageSchema,
      status: 201,
    },
    async (_input, ctx) => storeImage(deps.config.DATA_DIR, await readImage(ctx)),
  )
}
