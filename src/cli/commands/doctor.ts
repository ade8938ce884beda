import type { Command } from 'commander';
import { doctorReport } from '../../runtime/doctor.ts';
import { globalOptions, printResult } from '../output.ts';
import { runAction } from '../run-action.ts';
import { whileWaiting } from '../spinner.ts';

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(doctor: Command): void {
  doctor.option('--no-python', 'skip looking for Python TensorFlow (saves a few seconds)').action(
    runAction(async (opts: { python: boolean }, command: Command) => {
      const options = globalOptions(command);
      const waitingFor = opts.python ? 'Loading TensorFlow and looking for Python TensorFlow…' : 'Loading TensorFlow…';
      const report = await whileWaiting(options, waitingFor, () =>
        doctorReport(options.device, { checkPython: opts.python }),
      );
      const pythonTensorFlow = report.pythonTensorFlow
        ? `${report.pythonTensorFlow.version} (${report.pythonTensorFlow.python})`
        : 'not found (npm run setup:python-tf)';
      printResult(options, report, () =>
        [
          `node               ${report.node} (${report.platform})`,
          `engine             ${report.enginePackage}@${report.enginePackageVersion} (backend: ${report.backend})`,
          `tensorflow         ${report.tensorflowVersion}`,
          `libtensorflow      ${report.libtensorflowPath ?? 'unknown'}`,
          `cpu                ${report.cpu.model}, ${report.cpu.cores} cores, ` +
            `${report.cpu.features.join(' ') || 'no SIMD flags seen'}`,
          `oneDNN             ${report.oneDnn ? 'on' : 'off'}`,
          `devices            ${report.devices.join(', ')}`,
          `python tensorflow  ${opts.python ? pythonTensorFlow : 'not checked'}`,
        ].join('\n'),
      );
    }),
  );
}
