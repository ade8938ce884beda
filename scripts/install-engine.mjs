#!/usr/bin/env node
// Makes @tensorflow/tfjs-node's native binding loadable on machines where its own installer
// cannot download libtensorflow (firewalls, air gaps, or the host answering 403).
//
// Order of attempts (MNIST_SERVE_ENGINE_SOURCE=wheel or =tfjs-node keeps only that one):
//   1. the binding already loads          -> nothing to do
//   2. the TensorFlow pip wheel's C API   -> MNIST_SERVE_LIBTENSORFLOW (a directory holding an
//      extracted lib/ + include/ or a tensorflow*.whl), else `pip download` into the user cache
//   3. the package's own installer        -> its download host is often unreachable, and a
//      firewall that drops packets makes it wait minutes, so it is only the last resort
// The wheel's libraries are extracted once into ~/.cache/mnist-serve (or $XDG_CACHE_HOME) and
// symlinked into the package, so reinstalling node_modules does not re-extract 850 MB.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TF_WHEEL_REQUIREMENT = 'tensorflow-cpu==2.21.0';
const TF_VERSION = '2.21.0';
const LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];
// The C API headers and what they include; the rest of the wheel's include/ is not needed.
const HEADER_ROOTS = ['tensorflow/c/', 'tensorflow/core/', 'tsl/', 'xla/tsl/'];

const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(path.join(projectRoot, 'package.json'));
const quiet = process.argv.includes('--quiet');

function log(message) {
  if (!quiet) process.stderr.write(`[engine] ${message}\n`);
}

class InstallError extends Error {}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw new InstallError(`${command} could not start: ${result.error.message}`);
  return result;
}

function packageDir() {
  try {
    return path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
  } catch {
    throw new InstallError('@tensorflow/tfjs-node is not in node_modules: run `npm install` first.');
  }
}

function bindingLoads() {
  const probe = "require('@tensorflow/tfjs-node'); process.stdout.write(require('@tensorflow/tfjs-node').version.tfjs)";
  const result = run(process.execPath, ['-e', probe], {
    cwd: projectRoot,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return result.status === 0;
}

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'mnist-serve');
}

function isExtracted(dir) {
  return (
    LIBRARIES.every((lib) => fs.existsSync(path.join(dir, 'lib', lib))) &&
    fs.existsSync(path.join(dir, 'include', 'tensorflow', 'c', 'c_api.h'))
  );
}

function findWheel(dir) {
  const wheel = fs.readdirSync(dir).find((name) => /^tensorflow.*\.whl$/.test(name));
  return wheel ? path.join(dir, wheel) : undefined;
}

function downloadWheel() {
  const wheelDir = path.join(cacheRoot(), 'wheels');
  fs.mkdirSync(wheelDir, { recursive: true });
  const cached = findWheel(wheelDir);
  if (cached) return cached;
  log(`downloading the ${TF_WHEEL_REQUIREMENT} wheel with pip (uses the configured pip index)…`);
  const result = run(
    'python3',
    ['-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', TF_WHEEL_REQUIREMENT, '-d', wheelDir],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const wheel = findWheel(wheelDir);
  if (result.status !== 0 || !wheel) {
    throw new InstallError(
      `pip could not download ${TF_WHEEL_REQUIREMENT}: ${result.stderr.trim().split('\n').pop()}. ` +
        'Set MNIST_SERVE_LIBTENSORFLOW to a directory holding a TensorFlow wheel or an extracted lib/ + include/.',
    );
  }
  return wheel;
}

// Extracts into a temporary sibling and renames, so an interrupted extraction is never used.
function extractWheel(wheel, target) {
  log(`extracting the TensorFlow C library from ${path.basename(wheel)} into ${target}…`);
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const script = `
import sys, zipfile, os, shutil
wheel, out, libs, roots = sys.argv[1], sys.argv[2], sys.argv[3].split(','), sys.argv[4].split(',')
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.endswith('/'):
            continue
        if name.startswith('tensorflow/') and name[len('tensorflow/'):] in libs:
            dest = os.path.join(out, 'lib', os.path.basename(name))
        elif name.startswith('tensorflow/include/') and any(
            name[len('tensorflow/include/'):].startswith(r) for r in roots
        ):
            dest = os.path.join(out, 'include', name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(info) as src, open(dest, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
`;
  const result = run('python3', ['-c', script, wheel, staging, LIBRARIES.join(','), HEADER_ROOTS.join(',')]);
  if (result.status !== 0 || !isExtracted(staging)) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new InstallError(
      `could not extract the C library from ${wheel}: ${result.stderr.trim().split('\n').pop() ?? 'files missing'}`,
    );
  }
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
}

function libtensorflowDir() {
  const override = process.env.MNIST_SERVE_LIBTENSORFLOW;
  if (override) {
    if (!fs.existsSync(override)) throw new InstallError(`MNIST_SERVE_LIBTENSORFLOW=${override} does not exist.`);
    if (isExtracted(override)) return override;
    const wheel = findWheel(override);
    if (!wheel) {
      throw new InstallError(
        `MNIST_SERVE_LIBTENSORFLOW=${override} holds neither lib/${LIBRARIES[0]} + include/ nor a tensorflow*.whl.`,
      );
    }
    const target = path.join(cacheRoot(), `libtensorflow-${path.basename(wheel, '.whl')}`);
    if (!isExtracted(target)) extractWheel(wheel, target);
    return target;
  }
  const target = path.join(cacheRoot(), `libtensorflow-${TF_VERSION}`);
  if (isExtracted(target)) {
    log(`using the cached TensorFlow C library in ${target}`);
    return target;
  }
  extractWheel(downloadWheel(), target);
  return target;
}

function linkInto(pkg, libDir) {
  const deps = path.join(pkg, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  fs.symlinkSync(path.join(libDir, 'include'), path.join(deps, 'include'));
  const links = {
    'libtensorflow_cc.so.2': 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so.2': 'libtensorflow_framework.so.2',
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    'libtensorflow.so.2': 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  };
  for (const [name, target] of Object.entries(links)) {
    fs.symlinkSync(path.join(libDir, 'lib', target), path.join(deps, 'lib', name));
  }
}

function buildBinding(pkg) {
  log('building the tfjs-node binding with node-gyp…');
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const nodedir = process.env.npm_config_nodedir || path.dirname(path.dirname(process.execPath));
  // The variables node-pre-gyp would pass; the package's action_after_build copies the addon to
  // module_path, where tfjs-node looks for it (the highest N-API version it ships for is 8).
  const napi = Math.min(Number(process.versions.napi), 8);
  const args = [
    nodeGyp,
    'rebuild',
    `--nodedir=${nodedir}`,
    '--module_name=tfjs_binding',
    `--module_path=${path.join(pkg, 'lib', `napi-v${napi}`)}`,
    `--napi_build_version=${napi}`,
  ];
  const result = run(process.execPath, args, { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5).join('\n');
    throw new InstallError(`node-gyp could not build the binding (needs python3, make and g++):\n${tail}`);
  }
}

function tryPackageInstaller(pkg) {
  log("trying @tensorflow/tfjs-node's own installer (downloads libtensorflow 2.9.1)…");
  const result = run(process.execPath, ['scripts/install.js'], {
    cwd: pkg,
    timeout: 180_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status === 0 && bindingLoads()) return true;
  fs.rmSync(path.join(pkg, 'deps'), { recursive: true, force: true });
  return false;
}

function installFromWheel(pkg) {
  linkInto(pkg, libtensorflowDir());
  buildBinding(pkg);
  if (!bindingLoads()) {
    throw new InstallError('the binding was built but does not load; run `npx mnist-serve doctor` for details.');
  }
  log(`ready: tfjs-node runs on the TensorFlow ${TF_VERSION} C library.`);
}

const SOURCES = ['wheel', 'tfjs-node'];

function main() {
  const source = process.env.MNIST_SERVE_ENGINE_SOURCE || undefined;
  if (source !== undefined && !SOURCES.includes(source)) {
    throw new InstallError(
      `MNIST_SERVE_ENGINE_SOURCE=${source}: expected ${SOURCES.join(' or ')} ` +
        "(or unset: the wheel, then tfjs-node's installer)",
    );
  }
  const pkg = packageDir();
  if (bindingLoads()) {
    log('the TensorFlow binding already loads; nothing to do.');
    return;
  }
  if (source !== 'tfjs-node') {
    try {
      installFromWheel(pkg);
      return;
    } catch (error) {
      if (!(error instanceof InstallError) || source === 'wheel') throw error;
      log(`the wheel route failed: ${error.message}`);
    }
  }
  if (tryPackageInstaller(pkg)) {
    log('installed with the package installer.');
    return;
  }
  throw new InstallError(
    source === 'tfjs-node'
      ? "tfjs-node's own installer could not download libtensorflow; " +
          'unset MNIST_SERVE_ENGINE_SOURCE to use the TensorFlow pip wheel.'
      : "neither the TensorFlow pip wheel nor tfjs-node's own installer " +
          'gave a working binding (see the lines above); ' +
          'set MNIST_SERVE_LIBTENSORFLOW to a directory holding a TensorFlow wheel or an extracted lib/ + include/.',
  );
}

try {
  main();
} catch (error) {
  if (!(error instanceof InstallError)) throw error;
  process.stderr.write(`[engine] install failed: ${error.message}\n`);
  process.exit(1);
}
