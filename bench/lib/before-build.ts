import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The app as it was at another commit, built beside this one: a detached git worktree of `ref`
 * in `workDir`, sharing this checkout's node_modules (the dependencies of a nearby commit are a
 * subset of today's, or the build says otherwise), compiled with that commit's own tsconfig.
 * Lets one bench run compare a change with the commit before it on the same machine, in the same
 * minutes, as alternating slices: figures from two separate runs differ by more than most
 * changes do.
 */
export interface BeforeBuild {
  /** The worktree, to run `dist/src/main.js` in. */
  readonly root: string;
  /** The commit it holds, abbreviated, for the report. */
  readonly commit: string;
  remove(): void;
}

export function buildBefore(repositoryRoot: string, ref: string, workDir: string): BeforeBuild {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repositoryRoot, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--short', `${ref}^{commit}`);
  const root = join(workDir, `before-${commit}`);
  git('worktree', 'add', '--detach', '--force', root, commit);
  const remove = () => {
    if (existsSync(root)) git('worktree', 'remove', '--force', root);
  };
  try {
    symlinkSync(join(repositoryRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  } catch (error) {
    remove();
    throw error;
  }
  return { root, commit, remove };
}
