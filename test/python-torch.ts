import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Python, which sees Debian's python3-numpy and python3-torch where they are installed. */
export const python = '/usr/bin/python3';

/** Whether that Python imports numpy and torch: the tests that run PyTorch itself run only then. */
export const hasTorch =
  existsSync(python) && spawnSync(python, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0;
