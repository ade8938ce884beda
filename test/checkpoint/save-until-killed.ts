/** Child process for the kill-during-save test: saves checkpoints forever, printing each prefix. */
import { saveCheckpoint } from '../../src/checkpoint/index.ts';
import { sampleMeta, sampleState } from './fixtures.ts';

const dir = process.argv[2]!;
for (let epoch = 1; ; epoch += 1) {
  const { prefix } = saveCheckpoint(dir, sampleState(epoch), sampleMeta(epoch), 3);
  process.stdout.write(`${prefix}\n`);
}
