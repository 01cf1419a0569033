import { loadConfig, type Config } from '../../shared/config'
import { createLogger } from '../../shared/logger'

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO_SEED: 'false', ...overrides })
}

export const silentLogger = () => createLogger({ level: 'silent' })
