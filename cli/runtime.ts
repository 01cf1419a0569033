// Opening the system: configuration, logger, database (migrated), demo data when empty.
import { config as loadDotenv } from 'dotenv'
import { ConfigError, loadConfig, type Config } from '../shared/config'
import { createLogger, type Logger } from '../shared/logger'
import { openDatabase, type Database } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'
import { isEmpty, seedDemo } from '../shared/demo/seed'
import { ensureInitialAdmin } from '../shared/auth/service'
import { systemClock } from '../shared/clock'

export const DEMO_MEMBERS = 240

/** Reads .env (if present) and the environment; a wrong value ends the process with one clear line. */
export function configFromEnvironment(): Config {
  loadDotenv({ quiet: true })
  try {
    return loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(78)
    }
    throw err
  }
}

export async function openSystem(config: Config, logger: Logger): Promise<Database> {
  const database = await openDatabase(config)
  await migrate(database)
  logger.info({ database: database.kind }, 'database ready')
  if (config.DEMO_SEED && (await isEmpty(database.db))) {
    const summary = await seedDemo(database, { members: DEMO_MEMBERS, now: systemClock.now() })
    logger.info(summary, 'demo brand seeded')
  }
  if (await ensureInitialAdmin(database.db, config.ADMIN_INITIAL_PASSWORD)) {
    logger.info('operator "admin" created with ADMIN_INITIAL_PASSWORD')
  }
  return database
}

export function rootLogger(config: Config): Logger {
  return createLogger({ level: config.LOG_LEVEL })
}
