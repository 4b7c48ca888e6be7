import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

// The monorepo's Prettier (2.4) cannot parse `import { x, type Y }`: types come on their own `import type` line.
const SEPARATE_TYPE_IMPORTS = {
  selector: "ImportDeclaration[importKind='value'] > ImportSpecifier[importKind='type']",
  message:
    "Import types on a separate `import type { … }` line (the monorepo's Prettier 2.4 cannot parse inline 'type')."
}
// The harness (src/destinations/qualtrics/__tests__/__helpers__/harness.ts) checks that every declared request was
// sent before it drops the mocks: a cleanAll in a test would hide the unsent ones.
const NO_NOCK_CLEAN_ALL = {
  selector: "CallExpression[callee.object.name='nock'][callee.property.name='cleanAll']",
  message:
    'Do not drop nock mocks in a test: the harness checks and drops them after each test. Declare open-ended requests with .persist() or .optionally().'
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', SEPARATE_TYPE_IMPORTS]
    }
  },
  {
    files: ['**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', SEPARATE_TYPE_IMPORTS, NO_NOCK_CLEAN_ALL] }
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
