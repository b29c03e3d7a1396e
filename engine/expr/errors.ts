/**
 * A `${{ }}` expression could not be parsed or evaluated. The message is meant for the operator as is:
 * it names the expression and the problem (`inputs.labels.fn: no such key "fn"`), never a JS stack.
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  /** Where the problem is, as a 0-based offset into the text that was parsed or interpolated. */
  readonly offset?: number;
  /** Where in an interpolated value (keys and indexes of nested mappings and lists) the failing string is. */
  readonly path: readonly (string | number)[];

  constructor(message: string, options: { offset?: number; cause?: unknown; path?: readonly (string | number)[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.offset !== undefined) this.offset = options.offset;
    this.path = options.path ?? [];
  }

  /** The same error one level down a value: `key` is prepended to its path. */
  under(key: string | number): ExpressionError {
    return new ExpressionError(this.message, {
      ...(this.offset === undefined ? {} : { offset: this.offset }),
      cause: this.cause,
      path: [key, ...this.path],
    });
  }
}
