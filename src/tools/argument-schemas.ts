/**
 * Argument schemas for values where a plain zod type lets hostile input through: URLs whose host a
 * rule checks, and money amounts. Deterministic; tools import them from `warden/workflow`.
 */
import { z } from 'zod';
import { parseHttpUrl } from '../guard/http-url.ts';

/**
 * An absolute http(s) URL, parsed once with WHATWG `URL` (see `parseHttpUrl` for what it refuses).
 * The parsed value is the normalized `href`: intent rules check its host and the tool receives the
 * same string, so the host checked is the host contacted.
 */
export function httpUrl(options: { protocols?: Array<'http' | 'https'> } = {}) {
  const protocols = options.protocols ?? ['http', 'https'];
  return z.string().transform((value, ctx) => {
    const parsed = parseHttpUrl(value);
    if (!parsed.ok) {
      ctx.issues.push({ code: 'custom', message: `the URL ${parsed.reason}`, input: value });
      return z.NEVER;
    }
    const scheme = parsed.href.slice(0, parsed.href.indexOf(':'));
    if (!protocols.includes(scheme as 'http' | 'https')) {
      ctx.issues.push({
        code: 'custom',
        message: `the URL must use ${protocols.join(' or ')}`,
        input: value,
      });
      return z.NEVER;
    }
    return parsed.href;
  });
}

export interface MoneyOptions {
  /** Decimal places of the currency's minor unit. Default 2. */
  decimals?: number;
  /** The largest amount accepted (inclusive). */
  max: number;
  /** The smallest amount accepted (inclusive). Default: one minor unit (0.01 with 2 decimals). */
  min?: number;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** Digits after the point in the shortest text of `value`, or undefined for exponent forms. */
function decimalPlaces(value: number): number | undefined {
  const text = String(Math.abs(value));
  if (!DECIMAL.test(text)) return undefined;
  return text.split('.')[1]?.length ?? 0;
}

/**
 * An amount of money: a finite number with at most `decimals` decimal places, between `min` and
 * `max`. `z.number().multipleOf(0.01)` accepts `5e-324` (its float check has a tolerance); this reads
 * the decimal places from the number's shortest text, so 0.001, 1e-7 and 5e-324 are refused, and so
 * are NaN, ±Infinity (1e309 in JSON) and negative zero.
 */
export function money(options: MoneyOptions) {
  const decimals = options.decimals ?? 2;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 8) {
    throw new Error('money(): decimals must be an integer from 0 to 8');
  }
  const min = options.min ?? 10 ** -decimals;
  if (!Number.isFinite(options.max) || !Number.isFinite(min) || min > options.max) {
    throw new Error('money(): min and max must be finite, min <= max');
  }
  return z.number().check((ctx) => {
    const value = ctx.value;
    const places = decimalPlaces(value);
    const problem = Object.is(value, -0)
      ? 'an amount cannot be negative zero'
      : places === undefined || places > decimals
        ? `an amount has at most ${decimals} decimal places (got ${value})`
        : value < min
          ? `an amount is at least ${min}`
          : value > options.max
            ? `an amount is at most ${options.max}`
            : undefined;
    if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: value });
  });
}
