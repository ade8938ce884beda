/** `npm run docs:cli`: regenerate docs/cli.md from the commander definitions. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCliReference } from '../src/cli/reference.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';

const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'cli.md');
writeFileAtomic(target, await renderCliReference());
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
