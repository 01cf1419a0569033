// Request and response types of each endpoint, read from the types generated from the server's
// OpenAPI document (`npm run api:types` writes ../types/openapi.d.ts): nothing here is hand-copied.
import type { paths } from '../types/openapi'
import type { EndpointName, Endpoints } from './endpoints'

type Operation<N extends EndpointName> = paths[Endpoints[N]['path']][Lowercase<Endpoints[N]['method']>]

type Json<R> = R extends { content: { 'application/json': infer J } } ? J : void

type Success<R> = R extends { 200: infer S } ? Json<S> : R extends { 201: infer S } ? Json<S> : void

/** What a successful call of the endpoint answers. */
export type ResponseOf<N extends EndpointName> =
  Operation<N> extends { responses: infer R } ? Success<R> : never

/** The JSON body the endpoint takes (undefined when it takes none). */
export type BodyOf<N extends EndpointName> =
  Operation<N> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : undefined

/** The query parameters the endpoint takes. */
export type QueryOf<N extends EndpointName> =
  Operation<N> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never
