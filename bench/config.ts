// The configuration the benchmarks run under: mock puppets, nothing else configured.
import { loadConfig, type Config } from '../shared/config'

export const testConfigLike = (): Config =>
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO_SEED: 'false' })
