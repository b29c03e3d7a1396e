import { describe, expect, it } from 'vitest';
import { editedSpec } from '../../../engine/actions/docker/service/spec-edit.js';
import { sameImage } from '../../../engine/actions/docker/service/services.js';
import { mergeSpec, specDifferences } from '../../../engine/actions/docker/service/spec-compare.js';
import type { ServiceSpec } from '../../../engine/actions/docker/swarm-types.js';

const current: ServiceSpec = {
  Name: 'web',
  Labels: { team: 'a', tier: 'front' },
  TaskTemplate: {
    ContainerSpec: { Image: 'reg:5000/app:1@sha256:abc', Env: ['A=1', 'B=2'], Command: ['sleep', '3600'] },
    RestartPolicy: { Condition: 'any' },
    ForceUpdate: 0,
  },
  Mode: { Replicated: { Replicas: 2 } },
  EndpointSpec: { Mode: 'vip' },
};

describe('specDifferences', () => {
  it('ignores what the wanted spec leaves out (daemon defaults)', () => {
    expect(specDifferences({ Name: 'web', TaskTemplate: { ContainerSpec: { Command: ['sleep', '3600'] } } }, current)).toEqual([]);
  });

  it('names the paths that differ', () => {
    expect(specDifferences({ Mode: { Replicated: { Replicas: 3 } }, Labels: { team: 'b' } }, current)).toEqual(['Mode.Replicated.Replicas', 'Labels.team']);
    expect(specDifferences({ TaskTemplate: { ContainerSpec: { Command: ['sleep'] } } }, current)).toEqual(['TaskTemplate.ContainerSpec.Command']);
    expect(specDifferences({ Networks: [{ Target: 'x' }] }, current)).toEqual(['Networks']);
  });

  it('compares images without the digest the CLI pinned, unless the wanted one has a digest', () => {
    expect(specDifferences({ TaskTemplate: { ContainerSpec: { Image: 'reg:5000/app:1' } } }, current)).toEqual([]);
    expect(specDifferences({ TaskTemplate: { ContainerSpec: { Image: 'reg:5000/app:1@sha256:def' } } }, current)).toEqual(['TaskTemplate.ContainerSpec.Image']);
    expect(sameImage('a:1@sha256:x', 'a:1')).toBe(true);
    expect(sameImage('a:1', 'a:2')).toBe(false);
  });
});

describe('mergeSpec', () => {
  it('merges objects key by key, replaces lists, and null removes', () => {
    expect(mergeSpec({ a: { b: 1, c: 2 }, l: [1, 2], x: 1 }, { a: { c: 3 }, l: [3], x: null })).toEqual({ a: { b: 1, c: 3 }, l: [3] });
  });
});

describe('editedSpec', () => {
  it('keeps the whole spec and applies only the changes', () => {
    const next = editedSpec(current, { image: 'reg:5000/app:2', env: { B: '3', A: null, C: 'x' }, labels: { tier: null, new: 'y' }, replicas: 4 });
    expect(next.TaskTemplate?.ContainerSpec?.Image).toBe('reg:5000/app:2');
    expect(next.TaskTemplate?.ContainerSpec?.Env).toEqual(['B=3', 'C=x']);
    expect(next.TaskTemplate?.ContainerSpec?.['Command']).toEqual(['sleep', '3600']);
    expect(next.TaskTemplate?.['RestartPolicy']).toEqual({ Condition: 'any' });
    expect(next.Labels).toEqual({ team: 'a', new: 'y' });
    expect(next.Mode).toEqual({ Replicated: { Replicas: 4 } });
    expect(next['EndpointSpec']).toEqual({ Mode: 'vip' });
  });

  it('bumps ForceUpdate to redeploy without changes, and leaves the input alone', () => {
    expect(editedSpec(current, { force: true }).TaskTemplate?.ForceUpdate).toBe(1);
    expect(current.TaskTemplate?.ForceUpdate).toBe(0);
    expect(specDifferences(editedSpec(current, {}), current)).toEqual([]);
  });
});
