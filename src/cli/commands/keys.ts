import type { Command } from 'commander';
import { generateSigningKey, SigningKeyError } from '../../approvals/signing-keys.ts';
import { CliError } from '../errors.ts';

/** `warden keys generate`: a new Ed25519 key pair for the approval service and `warden run`. */
export function registerKeys(program: Command): void {
  program
    .command('keys')
    .description('approval signing keys')
    .command('generate')
    .description(
      'print a new Ed25519 key pair: the private key for the approval service, the public key for the workers',
    )
    .option('--id <keyId>', 'key id (default: a fingerprint of the public key)')
    .action((options: { id?: string }) => {
      let pair: ReturnType<typeof generateSigningKey>;
      try {
        pair = generateSigningKey(options.id);
      } catch (error) {
        if (error instanceof SigningKeyError) throw new CliError(error.message);
        throw error;
      }
      console.log(
        `# approval service and warden run (keep secret):\nWARDEN_APPROVAL_SIGNING_KEY=${pair.signingKey}`,
      );
      console.log(
        `# workers (append to the list while rotating, remove the old id once its approvals have expired):\nWARDEN_APPROVAL_PUBLIC_KEYS=${pair.publicKey}`,
      );
    });
}
