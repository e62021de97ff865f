import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/index.js';
import { createPlatform } from './app.js';
import { rotateKeys } from './router/catalog/index.js';

const USAGE = `Usage: mcp-platform <command> [options]

Commands:
  serve                     Run the platform (migrates first). What \`npm start\` runs.
  migrate                   Apply database migrations and exit.
  rotate-keys               Re-encrypt every sealed value (user credentials, signing keys) under
                            PLATFORM_ENCRYPTION_KEY; old keys go in PLATFORM_ENCRYPTION_KEYS_PREVIOUS.
                            Prints counts as JSON; exits 1 if any value could not be re-encrypted.
  audit-verify              Verify the audit trail's hash chain; prints the result as JSON,
                            exits 0 when intact and 3 at the first broken link.
  help                      Show this text.

Configuration comes from environment variables; see README.md.`;

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      parseArgs({ args: rest, options: {}, strict: true });
      const platform = await createPlatform(config);
      const address = await platform.listen();
      platform.logger.info({ url: config.PUBLIC_URL, address: `${address.address}:${address.port}`, storage: platform.database.kind }, 'platform listening');
      const shutdown = (signal: string) => {
        platform.logger.info({ signal }, 'shutting down');
        platform.close().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      return -1; // keep running
    }
    case 'migrate': {
      parseArgs({ args: rest, options: {}, strict: true });
      const platform = await createPlatform(config, { migrate: true });
      await platform.close();
      console.log('migrations applied');
      return 0;
    }
    case 'rotate-keys': {
      parseArgs({ args: rest, options: {}, strict: true });
      const platform = await createPlatform(config, { migrate: true });
      try {
        const report = await rotateKeys(platform.database.db, platform.vault, (f) =>
          platform.logger.error({ table: f.table, id: f.id, 'key.id': f.keyId, reason: f.reason }, 'sealed value not re-encrypted'),
        );
        const failed = report.credentials.failed + report.signing_keys.failed;
        await platform.logging.audit.record({
          action: 'vault.key_rotated',
          outcome: failed ? 'failure' : 'success',
          actorId: null,
          details: { ...report },
        });
        console.log(JSON.stringify(report, null, 2));
        return failed ? 1 : 0;
      } finally {
        await platform.close();
      }
    }
    case 'audit-verify': {
      parseArgs({ args: rest, options: {}, strict: true });
      const platform = await createPlatform(config);
      try {
        const result = await platform.logging.verifyAudit();
        console.log(JSON.stringify(result, null, 2));
        return result.ok ? 0 : 3;
      } finally {
        await platform.close();
      }
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
