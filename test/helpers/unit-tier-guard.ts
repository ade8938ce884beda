/**
 * Set up before every unit-tier file: the unit tier promises seconds and no engine, so loading
 * TensorFlow's native addon there throws, naming the tier the file should move to.
 */
const loadNativeAddon = process.dlopen;

process.dlopen = function guardedDlopen(this: NodeJS.Process, ...args: Parameters<typeof process.dlopen>) {
  const [, filename] = args;
  if (/tfjs|tensorflow/i.test(filename)) {
    throw new Error(`a unit test loaded TensorFlow (${filename}): name the file *.integration.test.ts (or .e2e/.interop)`);
  }
  return loadNativeAddon.apply(this, args);
};
