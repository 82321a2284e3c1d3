/** How often a call is decided again when the policy changed while it waited. */
export const MAX_DECISION_ROUNDS = 3;
