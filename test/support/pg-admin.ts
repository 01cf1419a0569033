// Helpers for tests that create and drop databases on a PostgreSQL server.
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** The same server, connected to its maintenance database, to create and drop databases. */
export function adminUrl(url: string): string {
  return withDatabase(url, 'postgres')
}
