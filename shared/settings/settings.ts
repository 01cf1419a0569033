// Rules operators change, stored as data. A setting is defined once, beside the rule that reads it,
// with its key, its Chinese name, a zod schema and the default the code holds; the stored document is
// read through the schema (a document an older version wrote is read with its defaults filled in, and
// one that no longer parses falls back to the default rather than breaking the rule). Every save is a
// new version kept in setting_changes, with who made it, so a change can be seen and put back.
import { and, desc, eq, sql } from 'drizzle-orm'
import type { z } from 'zod'
import type { Db } from '../db/client'
import { conflict } from '../errors'
import { settingChanges, settings } from '../db/schema/settings'

export interface SettingDefinition<S extends z.ZodType = z.ZodType> {
  key: string
  /** What operators call it. */
  name: string
  schema: S
  defaultValue: z.output<S>
}

export function defineSetting<S extends z.ZodType>(definition: SettingDefinition<S>): SettingDefinition<S> {
  return definition
}

export interface SettingState<T> {
  key: string
  name: string
  value: T
  /** 0 while the default applies (nothing saved yet). */
  version: number
  updatedAt: Date | null
  updatedBy: number | null
}

export async function readSetting<S extends z.ZodType>(
  db: Db,
  def: SettingDefinition<S>,
): Promise<z.output<S>> {
  return (await settingState(db, def)).value
}

export async function settingState<S extends z.ZodType>(
  db: Db,
  def: SettingDefinition<S>,
): Promise<SettingState<z.output<S>>> {
  const [row] = await db.select().from(settings).where(eq(settings.key, def.key))
  const parsed = row ? def.schema.safeParse(row.value) : null
  return {
    key: def.key,
    name: def.name,
    value: parsed?.success ? parsed.data : def.defaultValue,
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt ?? null,
    updatedBy: row?.updatedBy ?? null,
  }
}

export interface SaveSetting {
  at: Date
  operatorId?: number | null
  /** The version the operator edited: a save over someone else's newer version is refused. */
  expectedVersion?: number
}

/** Validate and store a new version (a ZodError names the bad field); returns the new state. */
export async function saveSetting<S extends z.ZodType>(
  db: Db,
  def: SettingDefinition<S>,
  raw: unknown,
  options: SaveSetting,
): Promise<SettingState<z.output<S>>> {
  const value = def.schema.parse(raw) as z.output<S>
  const operatorId = options.operatorId ?? null
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`setting:${def.key}`}, 0))`)
    const [current] = await tx.select().from(settings).where(eq(settings.key, def.key))
    const currentVersion = current?.version ?? 0
    if (options.expectedVersion !== undefined && options.expectedVersion !== currentVersion)
      throw conflict(
        'setting_changed',
        `「${def.name}」已被他人修改（当前版本 ${currentVersion}），请刷新后再改`,
      )
    const version = currentVersion + 1
    const row = { value: value as unknown, version, updatedAt: options.at, updatedBy: operatorId }
    await tx
      .insert(settings)
      .values({ key: def.key, ...row })
      .onConflictDoUpdate({ target: settings.key, set: row })
    await tx.insert(settingChanges).values({
      key: def.key,
      version,
      value: value as unknown,
      changedBy: operatorId,
      changedAt: options.at,
    })
    return { key: def.key, name: def.name, value, version, updatedAt: options.at, updatedBy: operatorId }
  })
}

/** Every saved version, newest first. */
export async function settingHistory(db: Db, key: string, limit = 50) {
  const rows = await db
    .select()
    .from(settingChanges)
    .where(and(eq(settingChanges.key, key)))
    .orderBy(desc(settingChanges.version))
    .limit(limit)
  return rows.map((r) => ({
    version: r.version,
    value: r.value,
    changedBy: r.changedBy,
    changedAt: r.changedAt.toISOString(),
  }))
}

/**
 * A setting read at the time a rule answers, so a saved change applies at once in every process (the
 * bot, the server, the worker) without a restart. What is derived from the value (compiled patterns)
 * is kept per database and stored version: one primary-key read per use, the derivation once per save.
 */
export function settingReader<S extends z.ZodType, T>(
  def: SettingDefinition<S>,
  derive: (value: z.output<S>) => T,
): (db: Db) => Promise<T> {
  const cache = new WeakMap<Db, { version: number; updatedAt: number; derived: T }>()
  return async (db) => {
    const state = await settingState(db, def)
    const updatedAt = state.updatedAt?.getTime() ?? 0
    const hit = cache.get(db)
    if (hit && hit.version === state.version && hit.updatedAt === updatedAt) return hit.derived
    const derived = derive(state.value)
    cache.set(db, { version: state.version, updatedAt, derived })
    return derived
  }
}
