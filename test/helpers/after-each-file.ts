/** Set up before every test file (vitest.config.ts): what each file leaves behind is cleaned up here. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.ts';

// Registered before the file's own hooks, so it runs after them (servers stopped, children gone).
afterAll(removeTempDirs);
