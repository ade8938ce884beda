import type { Command } from 'commander';
import { OperationalError } from '../../errors.ts';
import { runAction } from '../run-action.ts';

export function register(program: Command): void {
  program
    .command('inspect-graph')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(runAction(() => {
      throw new OperationalError('`inspect-graph` is not available yet in this version of mnist-serve');
    }));
}
