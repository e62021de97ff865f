import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, maskedConfig, platformVersion, type Config } from './config/index.js';
import { createPlatform } from './app.js';
import { parseMasterKey } from './vault/index.js';

const USAGE = `Usage: mcp-platform <command> [options]

Commands:
  serve                     Run the platform (migrates first). What \`npm start\` runs.
  migrate                   Apply database migrations and exit.
  check-config              Validate the environment; print the effective configuration (secrets masked).
  version                   Print the platform version.
  help                      Show this text.

Exit codes: 0 ok, 1 failure, 2 usage error, 78 configuration error (the message names the variable).

Configuration comes from environment variables; see README.md.`;

/** Master key settings are part of the configuration: a malformed one is a config error (exit 78). */
function checkMasterKeys(config: Config): void {
  const problems: string[] = [];
  const check = (raw: string, variable: string) => {
    try {
      parseMasterKey(raw, variable);
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  if (config.PLATFORM_ENCRYPTION_KEY) check(config.PLATFORM_ENCRYPTION_KEY, 'PLATFORM_ENCRYPTION_KEY');
  for (const raw of (config.PLATFORM_ENCRYPTION_KEYS_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    check(raw, 'PLATFORM_ENCRYPTION_KEYS_PREVIOUS');
  }
  if (problems.length) throw new ConfigError(problems);
}

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'version' || command === '--version' || command === '-v') {
    console.log(platformVersion());
    return 0;
  }
  const config = loadConfig();
  checkMasterKeys(config);
  switch (command) {
    case 'check-config': {
      parseArgs({ args: rest, options: {}, strict: true });
      console.log(JSON.stringify(maskedConfig(config), null, 2));
      console.log('configuration OK');
      return 0;
    }
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
