/**
 * Evaluated once per worker, before any run, and shared by every run of its reusable V8 context
 * (the bundler's `preloadModules`): see SHARED_WORKFLOW_MODULES in webpack-hook.ts. Its imports are
 * kept in use here because the libraries declare themselves free of side effects, and webpack drops
 * a bare preload of such a module. The Ed25519 verifier is shared with its key cache (see there),
 * the table of verified signatures (verified-signatures.ts) so a replay does not verify again what
 * its run verified before it was evicted, zod (see zod-shared.ts), and the sandbox's stack-trace
 * limit is set here, before the SDK freezes the sandbox's globals (sandbox-stack-traces.ts).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, bytesToNumberLE, concatBytes, hexToBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { ed25519Verify } from '../guard/ed25519-verify.ts';
import { verifiedOnce } from '../guard/verified-signatures.ts';
import { WORKFLOW_STACK_TRACE_LIMIT } from './sandbox-stack-traces.ts';
import { sharedZod } from './zod-shared.ts';

export const sharedModules: Record<string, unknown> = {
  sharedZod,
  ed25519,
  bytesToHex,
  bytesToNumberLE,
  concatBytes,
  hexToBytes,
  sha512,
  ed25519Verify,
  verifiedOnce,
  WORKFLOW_STACK_TRACE_LIMIT,
};
