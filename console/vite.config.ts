// The operator console: a single-page app served by the server under /console/.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { inputManifest } from './build/input-manifest.ts'

const consoleRoot = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(consoleRoot, '..')

export default defineConfig({
  root: consoleRoot,
  base: '/console/',
  plugins: [react(), inputManifest(repoRoot)],
  logLevel: 'warn',
  build: {
    outDir: path.join(consoleRoot, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (/node_modules\/(react|react-dom|react-router|scheduler)\//.test(id)) return 'react'
          return undefined
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
})
