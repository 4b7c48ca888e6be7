import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // The monorepo's Prettier (2.4) cannot parse `import { x, type Y }`: types come on their own `import type` line.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[importKind='value'] > ImportSpecifier[importKind='type']",
          message:
            "Import types on a separate `import type { … }` line (the monorepo's Prettier 2.4 cannot parse inline 'type')."
        }
      ]
    }
  },
  {
    files: ['compat/**/*.js'],
    languageOptions: { globals: { __dirname: 'readonly' } }
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
