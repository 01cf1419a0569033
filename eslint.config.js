// Lint rules, including the dependency direction of HOUSE_STYLE.md: bot -> shared <- server.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

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
  { ignores: ['node_modules/**', 'data/**', 'drizzle/**', 'console/dist/**', 'miniprogram/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['shared/**/*.ts'], rules: forbid('server', 'bot', 'worker', 'cli', 'console', 'miniprogram') },
  { files: ['server/**/*.ts'], rules: forbid('bot', 'worker', 'cli') },
  { files: ['bot/**/*.ts'], rules: forbid('server', 'worker', 'cli') },
  { files: ['worker/**/*.ts'], rules: forbid('server', 'bot', 'cli') },
  {
    files: ['miniprogram/**/*.ts', 'console/**/*.ts', 'console/**/*.tsx'],
    rules: forbid('server', 'bot', 'worker', 'cli'),
  },
  { files: ['cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', '**/*.test.ts'], rules: { 'no-console': 'off' } },
  { files: ['test/**/*.ts', '**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
)
