// Where a wechaty-puppet-service account connects. wechaty-token 1.1.2 registers a gRPC resolver for
// `wechaty://` addresses written against @grpc/grpc-js's old ResolverListener object
// (`onSuccessfulResolution` / `onError`); the grpc-js we run calls the listener as one function, so
// that resolver throws outside any promise and takes the process down. We never hand grpc-js a
// `wechaty://` address: the endpoint is configured (WECHATY_PUPPET_SERVICE_ENDPOINT) or looked up here
// from the token with the same discovery call (GET <discovery>/<token> → {host, port}), bounded in
// time, and its failure is an ordinary rejected promise the supervisor turns into the account's error.
import path from 'node:path'
import { PuppetService } from 'wechaty-puppet-service'
import { z } from 'zod'
import type { Config } from '../shared/config'

const discovered = z.object({ host: z.string().min(1), port: z.coerce.number().int().min(1).max(65535) })

export class PuppetStartError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PuppetStartError'
  }
}

type EndpointConfig = Pick<Config, 'WECHATY_PUPPET_SERVICE_ENDPOINT' | 'WECHATY_PUPPET_SERVICE_DISCOVERY_URL'>

/** The host:port of the token's puppet service; rejects with a reason an operator can read. */
export async function serviceEndpoint(
  token: string,
  config: EndpointConfig,
  timeoutMs = 10_000,
): Promise<string> {
  if (config.WECHATY_PUPPET_SERVICE_ENDPOINT) return config.WECHATY_PUPPET_SERVICE_ENDPOINT
  const base = config.WECHATY_PUPPET_SERVICE_DISCOVERY_URL.replace(/\/*$/, '/')
  const url = `${base}${encodeURIComponent(token)}`
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    throw new PuppetStartError(
      `token 服务发现失败（${new URL(base).host}）：${String((err as Error)?.cause ?? (err as Error)?.message ?? err)}`,
    )
  }
  if (res.status >= 400 && res.status < 500) {
    throw new PuppetStartError('token 无效：服务发现找不到该 token，请检查 WECHATY_PUPPET_SERVICE_TOKEN')
  }
  if (!res.ok) throw new PuppetStartError(`token 服务发现失败：HTTP ${res.status}`)
  const body = discovered.safeParse(await res.json().catch(() => null))
  if (!body.success) throw new PuppetStartError('token 服务发现返回的地址无法识别')
  return `${body.data.host}:${body.data.port}`
}

/** Tokens carry the TLS server name as a prefix ("puppet_padlocal_…" → "puppet_padlocal"). */
export function tokenServerName(token: string): string | null {
  const i = token.lastIndexOf('_')
  return i > 0 ? token.slice(0, i).toLowerCase() : null
}

/**
 * wechaty-puppet-service with two fixes of its own payload cache: it lives under DATA_DIR (not in
 * ~/.wechaty), and a login waits for the previous logout's cache to close — a quick relogin otherwise
 * reopens the LevelDB files while they are still locked, which throws outside any promise.
 */
export class ServicePuppet extends PuppetService {
  constructor(options: ConstructorParameters<typeof PuppetService>[0] & { cacheDir: string }) {
    const { cacheDir, ...rest } = options
    super(rest)
    const store = this._payloadStore as unknown as { storeDir: string }
    store.storeDir = path.join(
      cacheDir,
      path.basename(path.dirname(store.storeDir)),
      path.basename(store.storeDir),
    )
  }

  protected override hookPayloadStore(): void {
    let settled: Promise<unknown> = Promise.resolve()
    const store = () => this._payloadStore
    this.on('login', ({ contactId }) => {
      settled = settled.then(() => store().start(contactId)).catch(() => {})
    })
    this.on('logout', () => {
      settled = settled.then(() => store().stop()).catch(() => {})
    })
  }
}
