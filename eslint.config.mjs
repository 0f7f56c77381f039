// Linting as in actions/typescript-action: typescript-eslint's type-aware rules, Prettier owns the layout.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'build/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    // One writer for the log: outside text reaches it through src/process/log.ts, which keeps it from being read as
    // a workflow command.
    files: ['src/**/*.ts'],
    ignores: ['src/process/log.ts', 'src/compare/cache-worker.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'core', property: 'info', message: 'print through info() of src/process/log.ts: it guards outside text' },
        { object: 'console', property: 'log', message: 'print through info() of src/process/log.ts: it guards outside text' },
        { object: 'process', property: 'stdout', message: 'print through src/process/log.ts: it guards outside text' }
      ]
    }
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly'
      }
    }
  },
  prettier
)
