// Shared by the benchmarks: a database of their own on the PostgreSQL server (or DATABASE_URL).
import pg from 'pg'
import { openPostgres, type Database } from '../shared/db/client'
import { migrate } from '../shared/db/migrate'

const SERVER = 'postgres://postgres@127.0.0.1:5432'

/** A fresh, migrated database named bench_<name>, unless DATABASE_URL points at one to use as is. */
export async function benchDatabase(name: string): Promise<Database> {
  const given = process.env.DATABASE_URL
  if (given) {
    const database = await openPostgres(given, { max: 10 })
    await migrate(database)
    return database
  }
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` })
  await admin.connect()
  await admin.query(`drop database if exists bench_${name} with (force)`)
  await admin.query(`create database bench_${name}`)
  await admin.end()
  const database = await openPostgres(`${SERVER}/bench_${name}`, { max: 10 })
  await migrate(database)
  return database
}

export const quick = process.argv.includes('--quick')
