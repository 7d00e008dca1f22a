import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The repository's root, where `dist` is built and the processes under test run. */
export const ROOT = join(__dirname, '..', '..');

/** Compiles `dist`, which child processes under test run from (`npm run sync` is `node dist/…`). */
export function buildDist(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
    { cwd: ROOT, stdio: 'inherit' },
  );
}
