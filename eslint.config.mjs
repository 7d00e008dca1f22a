import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/', 'sdk/dist/', 'sdk/src/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['*.js', '*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
  {
    files: ['src/cli/**', 'src/onboarding/**', 'bench/**', 'harness/**', 'test/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The hosted pages call services in-process; a fetch would be a call to the API over HTTP.
    files: ['src/hosted-ui/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Hosted pages call services in-process, never the API.' },
        { name: 'XMLHttpRequest', message: 'Hosted pages call services in-process.' },
        { name: 'WebSocket', message: 'Hosted pages call services in-process.' },
      ],
    },
  },
);
