// Lint rules, including the dependency direction of HOUSE_STYLE.md: bot -> shared <- server.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import path from 'node:path'
import { domainOrderRule } from './eslint/domain-order.js'

const forbid = (...dirs) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: dirs.map((dir) => ({
        group: [`**/${dir}/**`, `**/${dir}`],
        message: `this layer must not import ${dir}/ (bot -> shared <- server; they meet in the database)`,
      })),
    },
  ],
})

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      'drizzle/**',
      'console/dist/**',
      'console/.dist-*/**',
      'miniprogram/**/*.js',
      'console/src/api/openapi.d.ts',
      'miniprogram/types/openapi.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
  { files: ['shared/**/*.ts'], rules: forbid('server', 'bot', 'worker', 'cli', 'console', 'miniprogram') },
  // Inside shared/, domains import only those below them (eslint/domain-order.js). Tests may reach up.
  {
    files: ['shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { shared: { rules: { 'domain-order': domainOrderRule(path) } } },
    rules: { 'shared/domain-order': 'error' },
  },
  { files: ['server/**/*.ts'], rules: forbid('bot', 'worker', 'cli') },
  { files: ['bot/**/*.ts'], rules: forbid('server', 'worker', 'cli') },
  { files: ['worker/**/*.ts'], rules: forbid('server', 'bot', 'cli') },
  {
    files: ['miniprogram/**/*.ts', 'console/**/*.ts', 'console/**/*.tsx'],
    rules: forbid('server', 'bot', 'worker', 'cli'),
  },
  // The console runs in the browser: React's rules of hooks, and no import of anything but contracts.
  {
    files: ['console/src/**/*.ts', 'console/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(server|bot|worker|cli)(/|$)',
              message: 'the console talks to the server over HTTP only',
            },
            {
              regex:
                '^(\\.\\./)+shared/(?!reports/(contracts|stages)$|(members|auth|chat|campaigns|tiers|orders|after-sale|coupons)/labels$)',
              message: 'the console may import only contracts (zod schemas, types, labels) from shared/',
            },
          ],
        },
      ],
    },
  },
  { files: ['cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', '**/*.test.ts'], rules: { 'no-console': 'off' } },
  { files: ['test/**/*.ts', '**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
)
