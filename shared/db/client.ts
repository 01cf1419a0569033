// One database handle for the whole system: embedded PGlite by default, a node-postgres pool when a
// DATABASE_URL is configured. Domain code only sees `Db` and never knows which one it runs on.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type { SQL } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import pg from 'pg'

export type Db = PgDatabase<PgQueryResultHKT>

export interface Database {
  db: Db
  kind: 'pglite' | 'postgres'
  /** The underlying driver: the PGlite instance or the node-postgres pool. */
  driver: PGlite | pg.Pool
  /**
   * Run a raw SQL script (several statements, possibly its own BEGIN/COMMIT), e.g. for bulk seeding.
   * On failure an open transaction is rolled back, so the connection is never left mid-transaction.
   */
  exec(sqlText: string): Promise<void>
  close(): Promise<void>
}

// bigint (int8) columns come back as JS numbers: our ids and fen amounts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v))

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt it.
 * A lock file with the owner's pid refuses that; a lock left by a killed process is taken over.
 */
function lockDataDir(dir: string): () => void {
  const lock = path.join(dir, 'owner.pid')
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' })
  } catch {
    const owner = Number(readFileSync(lock, 'utf8'))
    let alive = false
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid) {
      try {
        process.kill(owner, 0)
        alive = true
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM'
      }
    }
    if (alive)
      throw new Error(
        `database directory ${dir} is in use by process ${owner}; stop it first or set another DATA_DIR`,
      )
    writeFileSync(lock, String(process.pid))
  }
  return () => rmSync(lock, { force: true })
}

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<Database> {
  let unlock = () => {}
  if (options.dataDir) {
    mkdirSync(path.resolve(options.dataDir), { recursive: true })
    unlock = lockDataDir(path.resolve(options.dataDir))
  }
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: path.resolve(options.dataDir) } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { 20: (v: string) => Number(v) },
  })
  const db = drizzlePglite(client) as unknown as Db
  return {
    db,
    kind: 'pglite',
    driver: client,
    exec: async (text) => {
      try {
        await client.exec(text)
      } catch (err) {
        await client.exec('rollback').catch(() => {})
        throw err
      }
    },
    close: async () => {
      if (!client.closed) await client.close()
      unlock()
    },
  }
}

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 })
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  const probe = await pool.connect()
  probe.release()
  const db = drizzlePg(pool) as unknown as Db
  return {
    db,
    kind: 'postgres',
    driver: pool,
    exec: async (text) => {
      const conn = await pool.connect()
      try {
        await conn.query(text)
      } catch (err) {
        await conn.query('rollback').catch(() => {})
        throw err
      } finally {
        conn.release()
      }
    },
    close: () => pool.end(),
  }
}

export function openDatabase(config: {
  DATABASE_URL?: string | undefined
  DATA_DIR: string
  DATABASE_POOL_MAX: number
}): Promise<Database> {
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX })
    : openPglite({ dataDir: path.join(config.DATA_DIR, 'pg') })
}

/** How many rows a raw write touched, on either driver (node-postgres `rowCount`, PGlite `affectedRows`). */
export function rowsAffected(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number }
  return r.rowCount ?? r.affectedRows ?? 0
}

/** Rows of a raw SQL query, on either driver (both answer `{ rows }`). */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] }
  return result.rows
}
