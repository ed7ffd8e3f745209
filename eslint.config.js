import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const reactImports = {
  paths: [
    { name: 'react', message: 'src/core is framework-agnostic: bind it to React in src/react.' },
    { name: 'react-dom', message: 'src/core is framework-agnostic: bind it to React in src/react.' },
  ],
  patterns: [
    { group: ['react/*', 'react-dom/*'], message: 'src/core is framework-agnostic.' },
    { group: ['../react/*', '../components/*', '../server/*'], message: 'Layers point one way: core <- react <- components; server apart.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'storybook-static/', 'public/', 'coverage/', 'test-results/', 'examples/**/.next/', 'examples/**/next-env.d.ts', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', reactImports] } },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: reactImports.paths,
          patterns: [{ group: ['react/*', 'react-dom/*', '../react/*', '../components/*'], message: 'src/server imports core only.' }],
        },
      ],
    },
  },
  {
    files: ['src/react/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../components/*'], message: 'react must not import components.' }] }] },
  },
  {
    files: ['test/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
