// Lint rules: typescript-eslint's recommended set, floating promises as errors (a lost promise is a lost
// failure), and, as Temporal's samples do, no Node built-ins or I/O modules inside workflow code (the bucket
// format, storage/format, is plain data and types, so workflows may use it).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'stack/neo4j/**', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test registers tests synchronously; the promise it returns is the runner's to track.
        allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }],
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'zlib'], message: 'Workflow code must be deterministic: do I/O in activities.' },
          { group: ['pg', 'neo4j-driver', '@aws-sdk/*', '@qdrant/*', '../storage/*', '!../storage/format', '../catalog/*', '../engines/*', '../config/load'], message: 'Workflow code must be deterministic: do I/O in activities.' },
        ],
        paths: [{ name: '@temporalio/activity', message: 'Activities are called through proxyActivities.' }],
      }],
    },
  },
);
