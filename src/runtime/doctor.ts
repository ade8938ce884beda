/** What `mnist-serve doctor` reports: the engine actually loaded and the machine around it. */
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { enginePackageFor, loadTf, type Device } from './tf.ts';
import { findPythonTensorFlow } from './python-tf.ts';

export interface DoctorReport {
  node: string;
  platform: string;
  enginePackage: string;
  enginePackageVersion: string;
  backend: string;
  tensorflowVersion: string;
  libtensorflowPath: string | null;
  cpu: { model: string; cores: number; features: string[] };
  oneDnn: boolean;
  devices: string[];
  pythonTensorFlow: { python: string; version: string } | null;
}

const INTERESTING_CPU_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'amx_tile'];

function cpuFeatures(): string[] {
  try {
    const flagsLine = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    const flags = new Set(flagsLine?.split(':')[1]?.trim().split(/\s+/) ?? []);
    return INTERESTING_CPU_FLAGS.filter((flag) => flags.has(flag));
  } catch {
    return [];
  }
}

/** The libtensorflow file the process really mapped (symlinks resolved by the loader). */
function mappedLibtensorflow(): string | null {
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    const line = maps.split('\n').find((l) => /libtensorflow(_cc)?\.so/.test(l));
    return line ? line.slice(line.indexOf('/')) : null;
  } catch {
    return null;
  }
}

export async function doctorReport(device: Device, options: { checkPython: boolean }): Promise<DoctorReport> {
  const enginePackage = enginePackageFor(device);
  const tf = await loadTf();
  const backend = tf.backend() as unknown as { binding: { TF_Version: string }; isUsingGpuDevice: boolean };
  const require = createRequire(import.meta.url);
  const { version } = require(`${enginePackage}/package.json`) as { version: string };
  // TF enables oneDNN by default on x86 unless TF_ENABLE_ONEDNN_OPTS=0.
  const oneDnn = os.arch() === 'x64' && process.env.TF_ENABLE_ONEDNN_OPTS !== '0';
  return {
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    enginePackage,
    enginePackageVersion: version,
    backend: tf.getBackend(),
    tensorflowVersion: backend.binding.TF_Version,
    libtensorflowPath: mappedLibtensorflow(),
    cpu: { model: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, features: cpuFeatures() },
    oneDnn,
    devices: backend.isUsingGpuDevice ? ['CPU:0', 'GPU:0'] : ['CPU:0'],
    pythonTensorFlow: options.checkPython ? findPythonTensorFlow() : null,
  };
}
