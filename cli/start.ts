// `npm start`: the server, the bot supervisor and the scheduler in one process (or one of them with
// --only server|bot|worker, for running several processes against one PostgreSQL server).
import { hostname } from 'node:os'
import type { Server } from 'node:http'
import { parseArgs } from 'node:util'
import { createApp } from '../server/app'
import { Supervisor } from '../bot/supervisor'
import { Scheduler } from '../worker/scheduler'
import { jobs } from '../worker/jobs'
import { systemClock } from '../shared/clock'
import { configFromEnvironment, openSystem, rootLogger } from './runtime'
import { openChangeFeed } from '../shared/db/change-feed'
import { createReadCaches, type ReadCaches } from '../server/read-cache'
import { buildConsoleInBackground, stopConsoleBuild } from './console-build'
import { installProcessGuards } from './process-guard'

const { values } = parseArgs({ options: { only: { type: 'string', multiple: true } } })
const roles = new Set(values.only?.length ? values.only : ['server', 'bot', 'worker'])
for (const r of roles) {
  if (!['server', 'bot', 'worker'].includes(r)) {
    process.stderr.write(`unknown role "${r}": use --only server, bot or worker\n`)
    process.exit(64)
  }
}

const config = configFromEnvironment()
const logger = rootLogger(config)
installProcessGuards(logger)
const instanceId = config.INSTANCE_ID ?? `${hostname()}:${process.pid}`
const database = await openSystem(config, logger)
const deps = { db: database.db, config, logger, clock: systemClock }

let server: Server | undefined
let readCaches: ReadCaches | undefined
let supervisor: Supervisor | undefined
let scheduler: Scheduler | undefined

if (roles.has('server')) {
  buildConsoleInBackground(logger.child({ part: 'console' }))
  const feed = await openChangeFeed(database, {
    onError: (err) => logger.warn({ err }, 'change feed interrupted; read caches off until it reconnects'),
  })
  readCaches = createReadCaches(feed, { catalogueTtlMs: config.CATALOGUE_CACHE_SECONDS * 1000 })
  const app = createApp({ ...deps, readCaches })
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.PORT
  const shown = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST
  logger.info({ port }, 'server listening')
  process.stdout.write(
    `\n  私域超级用户运营系统已启动: http://${shown}:${port}\n  运营后台: http://${shown}:${port}/console/ 登录: admin（初始密码见 ADMIN_INITIAL_PASSWORD）\n\n`,
  )
}
if (roles.has('bot')) {
  supervisor = new Supervisor(
    { ...deps, logger: logger.child({ part: 'bot' }) },
    {
      owner: instanceId,
      exclusiveDatabase: database.kind === 'pglite',
    },
  )
  await supervisor.start()
}
if (roles.has('worker')) {
  scheduler = new Scheduler({ ...deps, logger: logger.child({ part: 'worker' }), owner: instanceId }, jobs)
  scheduler.start()
}

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'shutting down')
  const force = setTimeout(() => process.exit(1), 15_000)
  force.unref()
  stopConsoleBuild()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  readCaches?.close()
  await readCaches?.feed.close()
  await supervisor?.stop()
  await scheduler?.stop()
  await database.close()
  logger.info('stopped cleanly')
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
