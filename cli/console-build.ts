// Builds the operator console (Vite) into console/dist when it is missing or older than its sources.
// Run after `npm install` (postinstall), by `npm run build:console`, and by the server at start in the
// background, so the console is there after `npm ci && npm start` without slowing /healthz.
// A build goes to a temporary folder and replaces console/dist only when complete; a lock folder
// keeps two processes on one machine from building at once.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { isBuildFresh } from '../console/build/input-manifest.ts'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const consoleDist = path.join(repoRoot, 'console', 'dist')
const lockDir = path.join(repoRoot, 'console', '.build-lock')
const viteBin = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js')

export interface BuildLog {
  info(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export type BuildOutcome =
  | { status: 'fresh' }
  | { status: 'built'; seconds: number }
  | { status: 'busy' }
  | { status: 'failed'; output: string }

export const consoleIsFresh = () => isBuildFresh(repoRoot, consoleDist)

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the build lock, or returns false when a living process holds it. */
function takeLock(): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lockDir)
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid))
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      let holder = NaN
      try {
        holder = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'))
      } catch {
        // the holder is between mkdir and writing its pid
        return false
      }
      if (Number.isInteger(holder) && alive(holder)) return false
      rmSync(lockDir, { recursive: true, force: true })
    }
  }
  return false
}

/** Leftovers of builds that were interrupted. */
function removeStaleOutputs(): void {
  const dir = path.join(repoRoot, 'console')
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.dist-')) rmSync(path.join(dir, name), { recursive: true, force: true })
  }
}

let running: { child: ChildProcess; done: Promise<BuildOutcome> } | undefined

/** Builds unless the build is fresh or another process is building it. */
export function buildConsole(options: { force?: boolean } = {}): Promise<BuildOutcome> {
  if (running) return running.done
  if (!options.force && consoleIsFresh()) return Promise.resolve({ status: 'fresh' })
  if (!existsSync(viteBin)) return Promise.resolve({ status: 'failed', output: `${viteBin} is missing` })
  if (!takeLock()) return Promise.resolve({ status: 'busy' })
  const started = performance.now()
  removeStaleOutputs()
  const tmp = path.join(repoRoot, 'console', `.dist-${process.pid}`)
  const child = spawn(
    process.execPath,
    [viteBin, 'build', '--config', path.join(repoRoot, 'console', 'vite.config.ts'), '--outDir', tmp],
    // A production build whatever the caller's NODE_ENV (vitest sets it to `test`).
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  )
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const done = new Promise<BuildOutcome>((resolve) => {
    child.on('error', (err) => (output += String(err)))
    child.on('close', (code) => {
      running = undefined
      try {
        if (code !== 0) {
          rmSync(tmp, { recursive: true, force: true })
          resolve({ status: 'failed', output: output.trim() || `vite exited with ${code}` })
          return
        }
        const old = path.join(repoRoot, 'console', `.dist-old-${process.pid}`)
        if (existsSync(consoleDist)) renameSync(consoleDist, old)
        renameSync(tmp, consoleDist)
        rmSync(old, { recursive: true, force: true })
        resolve({ status: 'built', seconds: (performance.now() - started) / 1000 })
      } finally {
        rmSync(lockDir, { recursive: true, force: true })
      }
    })
  })
  running = { child, done }
  return done
}

/** Stops a build this process started (at shutdown); the next start builds again. */
export function stopConsoleBuild(): void {
  running?.child.kill('SIGTERM')
}

/** At server start: build in the background when needed, and log how it went. */
export function buildConsoleInBackground(log: BuildLog): void {
  if (consoleIsFresh()) return
  log.info({}, 'operator console is missing or older than its sources: building it in the background')
  void buildConsole().then((outcome) => {
    if (outcome.status === 'built') log.info({ seconds: outcome.seconds }, 'operator console built')
    else if (outcome.status === 'failed')
      log.error({ output: outcome.output.slice(-4000) }, 'operator console build failed')
    else if (outcome.status === 'busy') log.info({}, 'operator console is being built by another process')
  })
}

// `tsx cli/console-build.ts [--force]`: build now, say how long it took.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outcome = await buildConsole({ force: process.argv.includes('--force') })
  if (outcome.status === 'built')
    process.stdout.write(`operator console built in ${outcome.seconds.toFixed(1)} s\n`)
  else if (outcome.status === 'fresh') process.stdout.write('operator console is up to date\n')
  else if (outcome.status === 'busy')
    process.stdout.write('operator console is being built by another process\n')
  else {
    process.stderr.write(`operator console build failed:\n${outcome.output}\n`)
    // After `npm install` a failed build is reported but does not fail the install: `npm start`
    // tries again and logs the error, and CI's browser tests fail on it.
    process.exit(process.argv.includes('--no-fail') ? 0 : 1)
  }
}
