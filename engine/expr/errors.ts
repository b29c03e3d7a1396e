/**
 * A `${{ }}` expression could not be parsed or evaluated. The message is meant for the operator as is:
 * it names the expression and the problem (`inputs.labels.fn: no such key "fn"`), never a JS stack.
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  /** Where the problem is, as a 0-based offset into the text that was parsed or interpolated. */
  readonly offset?: number;

  constructor(message: string, options: { offset?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.offset !== undefined) this.offset = options.offset;
  }
}
