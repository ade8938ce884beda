/**
 * Set up before every unit-tier file: the unit tier promises seconds, no engine and no other
 * processes, so loading TensorFlow's native addon or starting a child process there throws,
 * naming the tier the file belongs in.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const loadNativeAddon = process.dlopen;

process.dlopen = function guardedDlopen(this: NodeJS.Process, ...args: Parameters<typeof process.dlopen>) {
  const [, filename] = args;
  if (/tfjs|tensorflow/i.test(filename)) {
    throw new Error(
      `a unit test loaded TensorFlow (${filename}): name the file *.integration.test.ts (or .e2e/.interop)`,
    );
  }
  return loadNativeAddon.apply(this, args);
};

const starters = ['spawn', 'spawnSync', 'fork', 'exec', 'execSync', 'execFile', 'execFileSync'] as const;
for (const name of starters) {
  Object.defineProperty(childProcess, name, {
    value: () => {
      throw new Error(
        `a unit test started a child process (child_process.${name}): ` +
          'name the file *.integration.test.ts (or .e2e/.interop)',
      );
    },
  });
}
// ES module imports of node:child_process read the patched functions too.
syncBuiltinESMExports();
