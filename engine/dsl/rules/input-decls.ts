/** An input's `default` and `enum` values must have its declared type, and the default must be allowed. */
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { matchesType, sameValue } from '../inputs.js';
import { refAt } from '../positions.js';
import type { RuleContext } from './context.js';

export function inputDecls(ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const input of ctx.runbook.inputs) {
    const base = ['inputs', input.name];
    if (input.default !== undefined && !matchesType(input.default, input.type)) {
      out.push(
        diagnostic(
          'RB_WRONG_TYPE',
          refAt(ctx.source, [...base, 'default']),
          `input "${input.name}": the default is not of type ${input.type}`,
          `write a default of type ${input.type}, or change \`type:\``,
        ),
      );
    }
    input.enum?.forEach((value, i) => {
      if (!matchesType(value, input.type)) {
        out.push(
          diagnostic(
            'RB_WRONG_TYPE',
            refAt(ctx.source, [...base, 'enum', i]),
            `input "${input.name}": enum value ${JSON.stringify(value)} is not of type ${input.type}`,
          ),
        );
      }
    });
    if (input.default !== undefined && input.enum !== undefined && !input.enum.some((v) => sameValue(v, input.default))) {
      out.push(
        diagnostic(
          'RB_BAD_VALUE',
          refAt(ctx.source, [...base, 'default']),
          `input "${input.name}": the default is not one of its enum values`,
          `use one of ${input.enum.map((v) => JSON.stringify(v)).join(', ')}`,
        ),
      );
    }
  }
  return out;
}
