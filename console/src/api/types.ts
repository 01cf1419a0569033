// The answers of the operator API by path, from the generated document: `Answer<'/api/admin/me'>`.
import type { paths } from './openapi'

type Json<R> = R extends { content: { 'application/json': infer J } } ? J : never

/** What a GET (or another method) of the path answers when it succeeds. */
export type Answer<
  P extends keyof paths,
  M extends 'get' | 'post' | 'put' | 'patch' = 'get',
> = paths[P][M] extends {
  responses: infer Rs
}
  ? Rs extends { 200: infer R }
    ? Json<R>
    : Rs extends { 201: infer R }
      ? Json<R>
      : never
  : never

/** The JSON body a path takes. */
export type Body<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } }
}
  ? B
  : never
