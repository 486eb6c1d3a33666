import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The formatter and the linter run with the tests, so CI checks them: Prettier (.prettierrc.json) and ESLint
 * (eslint.config.js) over the repository's TypeScript. `npm run format` fixes formatting.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function run(script: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules', script), ...args],
      { cwd: ROOT, timeout: 300_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

test('Prettier: every source, test and benchmark file is formatted (npm run format fixes it)', async () => {
  const r = await run('prettier/bin/prettier.cjs', ['--check', '.']);
  assert.equal(r.code, 0, r.output);
});

test('ESLint: no problems (eslint.config.js)', async () => {
  const r = await run('eslint/bin/eslint.js', ['--max-warnings', '0', '.']);
  assert.equal(r.code, 0, r.output);
});
