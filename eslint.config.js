import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** src-main's folders and what each may import besides src-shared (tests may use test-support). */
const SRC_MAIN_LAYERS = {
  media: ['test-support'],
  framing: ['media', 'test-support'],
  engine: ['framing', 'media', 'test-support'],
  import: ['test-support'],
  farm: ['engine', 'media', 'test-support'],
  app: ['engine', 'farm', 'import', 'media', 'test-support'],
  cli: ['app', 'engine', 'farm', 'framing', 'import', 'media', 'test-support'],
  host: ['app', 'engine'],
  electron: ['app', 'engine'],
  preload: [],
  'test-support': ['media'],
};
const SRC_MAIN_FOLDERS = Object.keys(SRC_MAIN_LAYERS);

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'build', 'release', 'models', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src-main/**', 'scripts/**', 'bin/**', '*.config.*'],
    languageOptions: { globals: globals.node },
  },
  { files: ['src-renderer/**'], languageOptions: { globals: globals.browser } },
  {
    files: ['src-renderer/**', 'src-shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'electron', 'onnxruntime-node', '../src-main/*', '../../src-main/*'] },
      ],
    },
  },
  // The layering of src-main (ARCHITECTURE.md's folder table): each folder may import only the
  // folders listed there; a wrong import fails the lint. Tests may reach further, to check a
  // layer together with the one that uses it (an import read back by the engine).
  ...Object.entries(SRC_MAIN_LAYERS).map(([folder, allowed]) => ({
    files: [`src-main/${folder}/**`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: SRC_MAIN_FOLDERS.filter((f) => f !== folder && !allowed.includes(f)).map((f) => ({
            group: [`../${f}/*`],
            message: `src-main/${folder} may import only ${allowed.join(', ') || 'src-shared'} (ARCHITECTURE.md)`,
          })),
        },
      ],
    },
  })),
  {
    files: ['bin/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
