// NestJS 12 ships ESM only; Jest on Node 20 loads CommonJS, so SWC converts those packages too.
const esmPackages = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  'cookie',
  'content-disposition',
  'ulid',
  'oauth4webapi',
  // openapi-typescript (the SDK's generator, in the drift test) requires these ESM-only packages.
  'openapi-typescript',
  'change-case',
  'parse-json',
  'index-to-position',
  'supports-color',
  // bentocache (the response cache) and its ESM-only dependencies.
  'bentocache',
  '@boringnode',
  '@julr',
  '@poppinss',
  'p-timeout',
  'case-anything',
  '@paralleldrive',
  '@noble',
].join('|');

function swc(parser) {
  return [
    '@swc/jest',
    {
      jsc: {
        parser,
        transform: {
          legacyDecorator: true,
          decoratorMetadata: true,
          react: { runtime: 'automatic', importSource: 'preact' },
        },
        target: 'es2023',
      },
      module: { type: 'commonjs' },
    },
  ];
}

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': swc({ syntax: 'typescript', decorators: true }),
    // The hosted pages' templates: TSX rendered by Preact (tsconfig's jsxImportSource).
    '^.+\\.tsx$': swc({ syntax: 'typescript', tsx: true, decorators: true }),
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages})/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/sdk/src/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    { ...shared, displayName: 'embedded', testMatch: ['<rootDir>/test/**/*.embedded-spec.ts'] },
  ],
  testTimeout: 60000,
};
