/**
 * The direction of the engine's imports, as dependency-cruiser rules:
 * cli → (engine API: index.ts, api/) → runner → actions → io, with dsl, expr, graph, inventory and journal
 * beneath, the pure planner (plan/) between them and the runner, ui/ beside the API for the CLI alone, and
 * report/ (a run's journal as an HTML page) beside ui/, which it may use.
 * No cycles anywhere.
 */
import type { IForbiddenRuleType } from 'dependency-cruiser';

const IMPURE = '^(child_process|net|http|https|node:child_process|node:net|node:http|node:https)$|^(zx|ssh2|docker-modem)$';

/** `from` may not import `to`: each layer names what lies above it. */
function above(name: string, from: string, to: string): IForbiddenRuleType {
  return { name, severity: 'error', from: { path: from }, to: { path: to } };
}

export const RULES: IForbiddenRuleType[] = [
  { name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } },
  above('base-is-the-ground', '^engine/(errors|secrets|internal-error|package-root|on-first-use)\\.ts$', '^engine/(?!(errors|secrets|internal-error|package-root|on-first-use)\\.ts$)'),
  above('beneath-imports-nothing-above', '^engine/(dsl|expr|graph|inventory|journal)/', '^engine/(io|plan|actions|runner|api|ui|report|cli|lab)/|^engine/index\\.ts$'),
  above('io-is-below-actions', '^engine/io/', '^engine/(plan|actions|runner|api|ui|report|cli|lab)/|^engine/index\\.ts$'),
  above('planner-is-below-the-runner', '^engine/plan/', '^engine/(actions|runner|api|ui|report|cli|lab)/|^engine/index\\.ts$'),
  above('actions-are-below-the-runner', '^engine/actions/', '^engine/(plan|runner|api|ui|report|cli|lab)/|^engine/index\\.ts$'),
  above('runner-knows-no-screen', '^engine/runner/', '^engine/(api|ui|report|cli|lab)/|^engine/index\\.ts$'),
  above('ui-is-below-the-cli', '^engine/ui/', '^engine/(api|report|cli|lab)/|^engine/index\\.ts$'),
  above('report-is-below-the-cli', '^engine/report/', '^engine/(io|plan|actions|runner|api|cli|lab)/|^engine/index\\.ts$'),
  above('lab-is-apart', '^engine/lab/', '^engine/(plan|actions|runner|api|ui|report|cli)/|^engine/index\\.ts$'),
  above('api-is-below-the-cli', '^engine/(index\\.ts$|api/)', '^engine/(cli|lab|ui|report)/'),
  {
    name: 'pure-stages',
    comment: 'dsl, expr, graph, plan, report and journal replay run no processes and open no sockets',
    severity: 'error',
    from: { path: '^engine/(dsl|expr|graph|plan|report)/|^engine/journal/replay\\.ts$' },
    to: { path: IMPURE },
  },
  {
    name: 'actions-use-ports',
    comment: 'actions reach shells, SSH and Docker only through the ports of their context',
    severity: 'error',
    from: { path: '^engine/actions/' },
    to: { path: '^(zx|ssh2|docker-modem)$' },
  },
];
