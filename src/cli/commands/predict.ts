import type { Command } from 'commander';
import { OperationalError } from '../../errors.ts';
import { runAction } from '../run-action.ts';

export function register(program: Command): void {
  program
    .command('predict')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(runAction(() => {
      throw new OperationalError('`predict` is not available yet in this version of mnist-serve');
    }));
}
