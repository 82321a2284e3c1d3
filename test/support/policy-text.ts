/**
 * A Polar policy without its `test` blocks (in the shipped policy they close the file). Tests that
 * change what the policy allows drop them: a reload refuses a policy whose own tests fail.
 */
export function withoutTests(polar: string): string {
  const first = polar.indexOf('\ntest "');
  return first === -1 ? polar : `${polar.slice(0, first)}\n`;
}
