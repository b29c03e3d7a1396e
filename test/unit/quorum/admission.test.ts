/**
 * The quorum gate's arithmetic for work in flight: pending effects laid over the live Raft members,
 * a step's instances judged in the order and concurrency they run, and what the swarm already shows
 * no longer counted. The worked example of docs/actions.md: 3 managers, two stops in flight.
 */
import { describe, expect, it } from 'vitest';
import { isReflected, judgeAdmission, judgeStep, overlay, phrase, type Member, type ResolvedEffect } from '../../../engine/graph/quorum-admission.js';

const three: Member[] = [
  { id: 'a', name: 'node1', reachable: true },
  { id: 'b', name: 'node2', reachable: true },
  { id: 'c', name: 'node3', reachable: true },
];

function effect(by: string, node: string, kind: ResolvedEffect['kind'], phase: ResolvedEffect['phase'] = 'in-flight'): ResolvedEffect {
  const memberId = { node1: 'a', node2: 'b', node3: 'c' }[node];
  return { by, node, kind, phase, memberId };
}

describe('the worked example: M=3, stopping node2 and node3', () => {
  it('alone, each stop keeps the quorum (R−1 = 2 ≥ Q(3) = 2)', () => {
    const v = judgeAdmission(three, [], effect('off@node3', 'node3', 'stop'));
    expect(v.verdict?.type).toBe('safe');
    expect(v.with).toEqual([]);
  });

  it('with the stop of node2 in flight, stopping node3 leaves R=1 of M=3 and is refused, naming off@node2', () => {
    const v = judgeAdmission(three, [effect('off@node2', 'node2', 'stop')], effect('off@node3', 'node3', 'stop'));
    expect(v.verdict?.type).toBe('loses-quorum');
    expect(v.verdict?.after).toMatchObject({ managers: 3, reachable: 1, quorum: 2 });
    expect(v.with.map((e) => e.by)).toEqual(['off@node2']);
    expect(v.verdict?.explanation).toContain('after stopping node3 (reachable), counted with off@node2 (stopping node2, in flight): M=3, R=1, Q(3)=2: quorum lost');
  });

  it('after node2 was stopped and the swarm still shows it reachable, the stop of node3 is refused all the same', () => {
    const v = judgeAdmission(three, [effect('off@node2', 'node2', 'stop', 'done')], effect('later@node3', 'node3', 'stop'));
    expect(v.verdict?.type).toBe('loses-quorum');
    expect(v.verdict?.explanation).toContain('done; the swarm does not show it yet');
  });

  it('one step on both: refused before either starts, whatever the concurrency, with the message an operator needs', () => {
    for (const concurrency of [1, 2]) {
      const v = judgeStep(three, [], [effect('off@node2', 'node2', 'stop'), effect('off@node3', 'node3', 'stop')], concurrency);
      expect(v.refused?.candidate.by).toBe('off@node3');
      expect(v.refused?.together.map((e) => e.by)).toEqual(['off@node2', 'off@node3']);
    }
    const parallel = judgeStep(three, [], [effect('off@node2', 'node2', 'stop'), effect('off@node3', 'node3', 'stop')], 2);
    expect(parallel.explanation).toBe('stopping node2 and node3 together leaves R=1 of M=3 (Q(3)=2): quorum lost while 1 other manager is up');
  });

  it('a stop the swarm already shows (node2 unreachable) is not counted twice', () => {
    const live = three.map((m) => (m.id === 'b' ? { ...m, reachable: false } : m));
    const pending = effect('off@node2', 'node2', 'stop', 'done');
    expect(isReflected(live, pending)).toBe(true);
    expect(overlay(live, [pending]).filter((m) => m.reachable)).toHaveLength(2);
  });
});

describe('demotions', () => {
  it('two of three at once: the second is refused while the first is under way', () => {
    const v = judgeStep(three, [], [effect('demote[node2]', 'node2', 'demote'), effect('demote[node3]', 'node3', 'demote')], 2);
    expect(v.refused?.candidate.by).toBe('demote[node3]');
    expect(v.refused?.verdict.after).toMatchObject({ managers: 2, reachable: 1 });
  });

  it('two of three one at a time (emergency-shutdown): each waits for the last, and one manager remains', () => {
    const v = judgeStep(three, [], [effect('demote[node2]', 'node2', 'demote'), effect('demote[node3]', 'node3', 'demote')], 1);
    expect(v.refused).toBeUndefined();
    expect(v.after).toMatchObject({ managers: 1, reachable: 1, quorum: 1 });
  });

  it('a finished demotion counts until the managers drop the member, then it is reflected', () => {
    const done = effect('demote[node2]', 'node2', 'demote', 'done');
    expect(isReflected(three, done)).toBe(false);
    expect(overlay(three, [done])).toHaveLength(2);
    expect(isReflected(three.filter((m) => m.id !== 'b'), done)).toBe(true);
  });

  it('the last manager is never demoted, whatever else is pending', () => {
    const v = judgeAdmission([three[0] as Member], [], effect('demote[node1]', 'node1', 'demote'));
    expect(v.verdict?.type).toBe('last-manager');
  });
});

describe('restarts and what ended without success', () => {
  it('a finished restart is over at once; one in flight counts', () => {
    expect(isReflected(three, effect('r@node2', 'node2', 'restart', 'done'))).toBe(true);
    expect(judgeAdmission(three, [effect('r@node2', 'node2', 'restart')], effect('r@node3', 'node3', 'restart')).verdict?.type).toBe('loses-quorum');
  });

  it('a stop that failed may have acted: it counts until the swarm shows the node unreachable', () => {
    const failed = effect('off@node2', 'node2', 'stop', 'uncertain');
    expect(judgeAdmission(three, [failed], effect('off@node3', 'node3', 'stop')).verdict?.type).toBe('loses-quorum');
    expect(isReflected(three, failed)).toBe(false);
  });

  it('workers have no vote: a fan-out over them passes whatever is pending', () => {
    const workers = ['w1', 'w2', 'w3'].map((n): ResolvedEffect => ({ by: `off@${n}`, node: n, kind: 'stop', phase: 'in-flight', memberId: undefined }));
    const v = judgeStep(three, [effect('off@node2', 'node2', 'stop')], workers, 3);
    expect(v.refused).toBeUndefined();
    expect(v.explanation).toContain('no instance takes a manager’s vote');
  });
});

describe('phrases', () => {
  it('names mixed effects in order', () => {
    expect(phrase([{ kind: 'demote', node: 'node2' }, { kind: 'stop', node: 'node3' }, { kind: 'stop', node: 'node4' }])).toBe('demoting node2 and stopping node3 and node4');
  });
});
