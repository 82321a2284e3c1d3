/** Production approver tokens must be at least this strong: out of reach of online and offline guessing. */
export const PRODUCTION_TOKEN_BITS = 128;

const CLASSES: Array<{ pattern: RegExp; size: number }> = [
  { pattern: /[a-z]/, size: 26 },
  { pattern: /[A-Z]/, size: 26 },
  { pattern: /[0-9]/, size: 10 },
  { pattern: /[^A-Za-z0-9]/, size: 33 },
];

/**
 * A run of this many characters seen twice means a pattern (`changeme-changeme-…`), not randomness.
 * Long enough that a random 64-hex token repeats one by chance about once in 10^11 (six characters
 * did about once in 10^4, refusing real `openssl rand` tokens).
 */
const REPEAT_LENGTH = 12;
const MIN_DISTINCT = 8;

/**
 * An upper estimate of a token's strength in bits: its length times log2 of the alphabet it draws
 * from (hex counts 4 bits a character; otherwise the character classes it uses). Tokens with a
 * repeated run or few distinct characters count as 0: they were typed, not generated. Random
 * tokens of 16 bytes or more (`openssl rand -hex 32`, `openssl rand -base64 32`) pass; words do not.
 */
export function estimateTokenBits(token: string): number {
  const body = token.replace(/=+$/, '');
  if (body.length === 0 || new Set(body).size < MIN_DISTINCT || hasRepeatedRun(body)) return 0;
  const alphabet =
    /^[0-9a-f]+$/.test(body) || /^[0-9A-F]+$/.test(body)
      ? 16
      : CLASSES.filter((c) => c.pattern.test(body)).reduce((sum, c) => sum + c.size, 0);
  return Math.floor([...body].length * Math.log2(alphabet));
}

/** Why a token of `bits` is too weak for production mode, or undefined when it is strong enough. */
export function productionTokenWeakness(bits: number): string | undefined {
  if (bits >= PRODUCTION_TOKEN_BITS) return undefined;
  return `too weak for production mode (about ${bits} bits, ${PRODUCTION_TOKEN_BITS} needed): generate tokens with \`openssl rand -hex 32\``;
}

function hasRepeatedRun(text: string): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + REPEAT_LENGTH <= text.length; i += 1) {
    const run = text.slice(i, i + REPEAT_LENGTH);
    if (seen.has(run)) return true;
    seen.add(run);
  }
  return false;
}
