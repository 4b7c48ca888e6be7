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

// The monorepo's rule for its destinations (its .eslintrc.js): a hashed identifier goes through its shared hashing
// helper, which knows prehashed values. This folder hashes only keys of its own caches and state, never an identifier
// it sends, and each such import says so on its line. 'node:crypto' is held to the same rule.
const NO_CREATE_HASH = ['crypto', 'node:crypto'].map((module) => ({
  selector: `ImportDeclaration[source.value='${module}'] ImportSpecifier[imported.name='createHash']`,
  message:
    "Hash identifiers with the monorepo's shared hashing helper (destination-actions/lib/hashing-utils), not createHash: it detects prehashed values. Only digests used as keys of the destination's own caches and state (never a hashed identifier sent to Qualtrics) may use createHash, said so on the line."
}))

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }
      ],
      'no-restricted-syntax': ['error', SEPARATE_TYPE_IMPORTS]
    }
  },
  {
    files: ['**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', SEPARATE_TYPE_IMPORTS, NO_NOCK_CLEAN_ALL] }
  },
  {
    files: ['src/destinations/qualtrics/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', SEPARATE_TYPE_IMPORTS, ...NO_CREATE_HASH] }
  },
  {
    files: ['src/destinations/qualtrics/**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', SEPARATE_TYPE_IMPORTS, NO_NOCK_CLEAN_ALL, ...NO_CREATE_HASH] }
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
