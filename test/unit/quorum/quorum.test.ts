/**
 * The quorum rules of docs/swarm-operations.md, row by row, and the worked example (M=3, one unreachable).
 */
import { describe, expect, it } from 'vitest';
import { figures, judgeVoteChange, quorumOf, raftFigures } from '../../../engine/graph/quorum.js';

describe('Q(M)', () => {
  it('matches the admin guide table for 1..9 managers', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(quorumOf)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(quorumOf(0)).toBe(0);
  });
});

describe('M, R, U from GET /nodes', () => {
  it('counts nodes with a ManagerStatus, reachable ones apart; unknown is not a vote', () => {
    const f = raftFigures([
      { ManagerStatus: { Reachability: 'reachable' } },
      { ManagerStatus: { Reachability: 'unreachable' } },
      { ManagerStatus: { Reachability: 'unknown' } },
      { ManagerStatus: null },
      {},
    ]);
    expect(f).toEqual({ managers: 3, reachable: 1, unreachable: 2, quorum: 2 });
  });
});

describe('stopping a manager (power off, leave --force): M stays, R−1 ≥ Q(M)', () => {
  it.each([
    [3, 3, 'safe', 3, 2],
    [3, 2, 'loses-quorum', 3, 1],
    [5, 5, 'safe', 5, 4],
    [5, 4, 'safe', 5, 3],
    [5, 3, 'loses-quorum', 5, 2],
    [2, 2, 'loses-quorum', 2, 1],
    [7, 5, 'safe', 7, 4],
    [7, 4, 'loses-quorum', 7, 3],
  ] as const)('M=%i R=%i → %s (after: M=%i R=%i)', (m, r, type, am, ar) => {
    const v = judgeVoteChange(figures(m, r), 'stop', 'reachable', 'node2');
    expect(v.type).toBe(type);
    expect(v.after).toEqual(figures(am, ar));
  });

  it('stopping an unreachable manager changes no figure', () => {
    const v = judgeVoteChange(figures(3, 2), 'stop', 'unreachable', 'node3');
    expect(v.type).toBe('safe');
    expect(v.after).toEqual(figures(3, 2));
  });

  it('stopping the only manager of a one-manager swarm is allowed: no other manager is up', () => {
    const v = judgeVoteChange(figures(1, 1), 'stop', 'reachable', 'node1');
    expect(v.type).toBe('safe');
    expect(v.explanation).toContain('no other manager is up');
  });

  it('when quorum is already lost the step cannot lose it', () => {
    const v = judgeVoteChange(figures(3, 1), 'stop', 'reachable', 'node1');
    expect(v.type).toBe('safe');
    expect(v.explanation).toContain('already lost');
  });
});

describe('demoting a manager: reachable needs R−1 ≥ Q(M−1), unreachable needs R ≥ Q(M−1)', () => {
  it.each([
    [3, 3, 'reachable', 'safe', 2, 2],
    [5, 5, 'reachable', 'safe', 4, 4],
    [5, 3, 'reachable', 'loses-quorum', 4, 2],
    [5, 3, 'unreachable', 'safe', 4, 3],
    [4, 3, 'reachable', 'safe', 3, 2],
    [2, 2, 'reachable', 'safe', 1, 1],
    [2, 1, 'unreachable', 'safe', 1, 1],
  ] as const)('M=%i R=%i demote %s → %s (after: M=%i R=%i)', (m, r, member, type, am, ar) => {
    const v = judgeVoteChange(figures(m, r), 'demote', member, 'nodeX');
    expect(v.type).toBe(type);
    expect(v.after).toEqual(figures(am, ar));
  });

  it('worked example: M=3 with one unreachable — demoting the other reachable manager is refused', () => {
    const v = judgeVoteChange(figures(3, 2), 'demote', 'reachable', 'node2');
    expect(v.type).toBe('loses-quorum');
    expect(v.after).toEqual({ managers: 2, reachable: 1, unreachable: 1, quorum: 2 });
    expect(v.explanation).toBe(
      'after demoting node2 (reachable): M=2, R=1, Q(2)=2: quorum lost (1 < 2) while 1 other manager is up; demote the unreachable managers first',
    );
  });

  it('worked example: demoting the unreachable one first passes', () => {
    const v = judgeVoteChange(figures(3, 2), 'demote', 'unreachable', 'node3');
    expect(v.type).toBe('safe');
    expect(v.after).toEqual({ managers: 2, reachable: 2, unreachable: 0, quorum: 2 });
    expect(v.explanation).toContain('M=2, R=2, Q(2)=2: quorum kept');
  });

  it('never demotes the last manager', () => {
    const v = judgeVoteChange(figures(1, 1), 'demote', 'reachable', 'node1');
    expect(v.type).toBe('last-manager');
    expect(v.explanation).toContain('last manager');
  });
});
