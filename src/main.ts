import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/index.js';
import { createPlatform } from './app.js';

const USAGE = `Usage: mcp-platform <command> [options]

Commands:
  serve                     Run the platform (migrates first). What \`npm start\` runs.
  migrate                   Apply database migrations and exit.
  create-admin --email <e> [--password-stdin]
                            Create an admin (or make an existing user admin and re-enable it).
                            Without --password-stdin a random password is generated and printed once.
  rotate-signing-key        Make a new ES256 access-token signing key active; the old key stays in the
                            JWKS so issued tokens keep verifying. Running replicas switch within a minute.
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
    case 'create-admin': {
      const { values } = parseArgs({
        args: rest,
        options: { email: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } },
        strict: true,
      });
      const email = values.email?.trim();
      if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) {
        console.error('create-admin: --email <address> is required');
        return 2;
      }
      const password = values['password-stdin'] ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      const platform = await createPlatform(config, { bootstrapAdmin: false });
      try {
        const result = await platform.auth.createAdmin(email, password);
        console.log(`${result.created ? 'created admin' : 'made admin'} ${email} (id ${result.userId})`);
        if (result.generatedPassword) console.log(`password (shown once): ${result.generatedPassword}`);
        else if (!result.created && password === undefined) console.log('password unchanged');
      } catch (err) {
        const e = err as { errorCode?: string; message?: string };
        if (e.errorCode) {
          console.error(`create-admin: ${e.message ?? e.errorCode}`);
          return 1;
        }
        throw err;
      } finally {
        await platform.close();
      }
      return 0;
    }
    case 'rotate-signing-key': {
      parseArgs({ args: rest, options: {}, strict: true });
      const platform = await createPlatform(config, { bootstrapAdmin: false });
      try {
        const { retired, active } = await platform.auth.rotateSigningKey();
        console.log(`signing key rotated: active ${active}${retired ? `, retired ${retired} (still published)` : ''}`);
      } finally {
        await platform.close();
      }
      return 0;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
