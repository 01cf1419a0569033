// Which files a console build was made from, and a hash of their content: the server rebuilds the
// console when the hash no longer matches (sources changed since the build), and not otherwise.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

export const MANIFEST_NAME = '.build-inputs.json'
const VERSION = 1

export interface InputManifest {
  version: number
  /** Repository-relative paths of every source the build read (node_modules stands in as the lockfile). */
  files: string[]
  hash: string
}

/** Files that shape every build even though the bundle does not import them. */
export const alwaysInputs = [
  'console/index.html',
  'console/vite.config.ts',
  'console/build/input-manifest.ts',
  'package-lock.json',
]

export function hashInputs(root: string, files: readonly string[]): string {
  const h = createHash('sha256').update(`v${VERSION}\n`)
  for (const file of [...files].sort()) {
    const full = path.join(root, file)
    h.update(file).update('\0')
    h.update(existsSync(full) ? readFileSync(full) : 'missing').update('\0')
  }
  return h.digest('hex')
}

/** True when a build exists in `outDir` and was made from the sources as they are now. */
export function isBuildFresh(root: string, outDir: string): boolean {
  const manifestPath = path.join(outDir, MANIFEST_NAME)
  if (!existsSync(manifestPath) || !existsSync(path.join(outDir, 'index.html'))) return false
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as InputManifest
    return manifest.version === VERSION && manifest.hash === hashInputs(root, manifest.files)
  } catch {
    return false
  }
}

/** Records the build's inputs next to its output, and gzips text assets for the server to send. */
export function inputManifest(root: string): Plugin {
  let files: string[] = []
  return {
    name: 'console-input-manifest',
    apply: 'build',
    generateBundle() {
      const seen = new Set(alwaysInputs)
      for (const id of this.getModuleIds()) {
        const file = id.split('?')[0]!
        if (!path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue
        const rel = path.relative(root, file)
        if (!rel.startsWith('..')) seen.add(rel.split(path.sep).join('/'))
      }
      files = [...seen].sort()
    },
    // After the files are written, so the compressed copies hold exactly what was written.
    writeBundle(options, bundle) {
      const outDir = options.dir!
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(fileName)) continue
        const source = readFileSync(path.join(outDir, fileName))
        if (source.length < 1024) continue
        writeFileSync(path.join(outDir, `${fileName}.gz`), gzipSync(source, { level: 9 }))
      }
      const manifest: InputManifest = { version: VERSION, files, hash: hashInputs(root, files) }
      writeFileSync(path.join(outDir, MANIFEST_NAME), JSON.stringify(manifest, null, 2))
    },
  }
}
