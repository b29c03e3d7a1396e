/**
 * `docker stack rm` passes as the CLI prints them: a network that an earlier pass already removed is
 * reported by the CLI as a failure, but is the goal reached; any other failure stays one.
 */
import { describe, expect, it } from 'vitest';
import { readStackRm } from '../../../engine/actions/docker/stack/rm.js';

const GONE =
  'Failed to remove network gbt9std4iu9giw1umxti6w8xo: Error response from daemon: network gbt9std4iu9giw1umxti6w8xo not found' +
  'failed to remove some resources from stack: registry\n';

describe('readStackRm', () => {
  it('reads a first pass that exits 0 as progress', () => {
    const pass = readStackRm('Removing service registry_registry\nRemoving network registry_default\n', '', 0);
    expect(pass).toEqual({ lines: ['Removing service registry_registry', 'Removing network registry_default'], failed: false, gone: [] });
  });

  it('reads "network … not found" as already removed, not as a failure', () => {
    const pass = readStackRm('Removing network registry_default\n', GONE, 1);
    expect(pass).toEqual({ lines: ['Removing network registry_default'], failed: false, gone: ['gbt9std4iu9giw1umxti6w8xo'] });
  });

  it('keeps a network that cannot be removed a failure, with its lines', () => {
    const busy = 'Failed to remove network x1: Error response from daemon: error while removing network: network app_default id x1 has active endpoints\nfailed to remove some resources from stack: app\n';
    const pass = readStackRm('Removing network app_default\n', busy, 1);
    expect(pass.failed).toBe(true);
    expect(pass.gone).toEqual([]);
    expect(pass.lines).toContain('failed to remove some resources from stack: app');
  });

  it('keeps the other failure when one network is gone and another is busy', () => {
    const both = GONE.replace(/failed to remove some resources.*\n/, '\n') +
      'Failed to remove network x2: Error response from daemon: network x2 has active endpoints\nfailed to remove some resources from stack: app\n';
    const pass = readStackRm('', both, 1);
    expect(pass.failed).toBe(true);
    expect(pass.gone).toEqual(['gbt9std4iu9giw1umxti6w8xo']);
    expect(pass.lines).toEqual([
      'Failed to remove network x2: Error response from daemon: network x2 has active endpoints',
      'failed to remove some resources from stack: app',
    ]);
  });

  it('keeps an exit code without any explanation a failure', () => {
    expect(readStackRm('', 'Error response from daemon: This node is not a swarm manager.\n', 1).failed).toBe(true);
  });
});
