/**
 * Secret values (inputs marked `secret`, `secret_outputs`) are registered here as soon as they are
 * known; every event passes through `maskDeep` before any reporter sees it, so a secret echoed by
 * a command or quoted in an error message still prints as `***`.
 */

export const MASK = '***';

/** A value that prints and serialises as `***`, whatever it holds. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return MASK;
  }
}

export class SecretMasker {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Registers every string inside `value` (deeply) as secret. Very short strings are too common to mask safely. */
  add(value: unknown): void {
    if (typeof value === 'string') {
      if (value.length >= 3 && !this.#values.has(value)) {
        this.#values.add(value);
        // A secret spread over lines is also masked line by line, since output arrives in lines.
        for (const line of value.split(/\r?\n/)) if (line.length >= 3) this.#values.add(line);
        this.#pattern = undefined;
      }
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      this.add(String(value));
    } else if (Array.isArray(value)) {
      for (const v of value) this.add(v);
    } else if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) this.add(v);
    }
  }

  get empty(): boolean {
    return this.#values.size === 0;
  }

  mask(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.#pattern, MASK);
  }

  /** A copy of `value` with every secret in every string replaced; the input is returned as is when nothing is secret. */
  maskDeep<T>(value: T): T {
    if (this.#values.size === 0) return value;
    return this.#maskAny(value) as T;
  }

  #maskAny(value: unknown): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (Array.isArray(value)) return value.map((v) => this.#maskAny(v));
    if (value instanceof Secret) return MASK;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.#maskAny(v);
      return out;
    }
    return value;
  }
}
