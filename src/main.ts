// First: holds the young generation's growth off while the modules below load (startup-heap.ts).
import { startupDone } from './startup-heap.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, maskedConfig, platformVersion, type Config } from './config/index.js';
import { createPlatform } from './app.js';
import { backup, BackupError, deleteUser, exportUser, restore, runClusterCommand, UsageError, UserDataError } from './ops/index.js';
import { serveBuiltin } from './router/index.js';
import { parseMasterKey } from './vault/index.js';

const USAGE = `Usage: mcp-platform <command> [options]

Commands:
  serve                     Run the platform (migrates first). What \`npm start\` runs.
  migrate                   Apply database migrations and exit.
  serve-builtin <name> [--port N] [--host H]
                            Serve one builtin MCP server over Streamable HTTP at /mcp, for running it
                            as its own process or pod (register it with BUILTIN_REMOTE_INSTANCES).
                            Requires BUILTIN_SHARED_SECRET (the same value as the platform's).
  rotate-keys               Re-encrypt every sealed value (user credentials, signing keys) under
                            PLATFORM_ENCRYPTION_KEY; old keys go in PLATFORM_ENCRYPTION_KEYS_PREVIOUS.
                            Prints counts as JSON; exits 1 if any value could not be re-encrypted.
  audit-verify              Verify the audit trail's hash chain; prints the result as JSON,
                            exits 0 when intact and 3 at the first broken link.
  create-admin --email <e> [--password-stdin]
                            Create an admin (or make an existing user admin and re-enable it).
                            Without --password-stdin a random password is generated and printed once.
  rotate-signing-key        Make a new ES256 access-token signing key active; the old key stays in the
                            JWKS so issued tokens keep verifying. Running replicas switch within a minute.
  backup --out <file>       Back up the database: embedded PGlite (DATA_DIR; stop \`serve\` first) as a
                            gzipped data dump, or PostgreSQL's DATABASE_SCHEMA with pg_dump (live).
                            The master key is never in it: keep PLATFORM_ENCRYPTION_KEY separately.
  restore --in <file> --yes Replace the database with a backup (stop every replica first). Embedded:
                            the old data dir is kept beside it; PostgreSQL: one transaction.
  export-user <id|email> [--out <file>]
                            Everything stored about one user as JSON (no secrets); audited.
  delete-user <id|email> --yes
                            Delete a user and their data (sessions, API keys, credentials, notes,
                            request-log rows); the audit trail keeps its rows and records it.
  cluster [--replicas N] [--port P] [--database D] [--schema S] [--no-prometheus]
                            A cluster on this machine: N serve processes (default 3) on PostgreSQL and
                            Redis (DATABASE_URL / REDIS_URL, else the local ones; database D, default
                            mcp_cluster, created when missing) behind HAProxy, plus Prometheus when
                            installed. Prints the URL; Ctrl-C stops everything. Needs haproxy.
  rolling-restart [cluster options] [--rate R]
                            The cluster under mixed MCP traffic (default 40 requests/s); each replica in
                            turn gets SIGTERM and is replaced. Exits 0 when no request failed, every
                            session still works and the request log has a row per answered request.
  soak --minutes N [cluster options] [--rate R]
                            The cluster under mixed traffic for N minutes at R requests/s (default: half
                            the maximum measured first); errors, RSS, heap, fds and stdio processes
                            at the start and end, p50/p99 per minute.
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
      startupDone();
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
    case 'cluster':
    case 'rolling-restart':
    case 'soak': {
      // The replicas run this same CLI (source under tsx, or dist/main.js) with `serve`.
      const serve = { command: process.execPath, args: [...process.execArgv, process.argv[1]!, 'serve'] };
      try {
        return await runClusterCommand(command, rest, serve);
      } catch (err) {
        if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
          console.error(`${command}: ${(err as Error).message}`);
          return 2;
        }
        throw err;
      }
    }
    case 'migrate': {
      parseArgs({ args: rest, options: {}, strict: true });
      const platform = await createPlatform(config, { migrate: true });
      await platform.close();
      console.log('migrations applied');
      return 0;
    }
    case 'serve-builtin': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, host: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      const name = positionals[0];
      const port = Number(values.port ?? config.PORT);
      if (!name || positionals.length > 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(`serve-builtin: give one builtin name and a valid --port.\n\n${USAGE}`);
        return 2;
      }
      if (!config.BUILTIN_SHARED_SECRET) {
        console.error('BUILTIN_SHARED_SECRET: required by serve-builtin (the same value the platform uses)');
        return 78;
      }
      const platform = await createPlatform(config);
      const factory = Object.hasOwn(platform.builtins, name) ? platform.builtins[name] : undefined;
      if (!factory) {
        await platform.close();
        const known = Object.keys(platform.builtins);
        console.error(`Unknown builtin "${name}". Available: ${known.length ? known.join(', ') : '(none)'}`);
        return 2;
      }
      const served = await serveBuiltin({
        name,
        factory,
        sharedSecret: config.BUILTIN_SHARED_SECRET,
        host: values.host ?? config.HOST,
        port,
        maxRequestBodySize: config.BODY_LIMIT_BYTES,
        logger: platform.logger,
      });
      platform.logger.info({ builtin: name, url: served.url }, 'builtin serving');
      const stop = (signal: string) => {
        platform.logger.info({ signal }, 'shutting down');
        served
          .close()
          .then(() => platform.close())
          .then(
            () => process.exit(0),
            (err: unknown) => {
              console.error(err);
              process.exit(1);
            },
          );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      return -1; // keep running
    }
    case 'rotate-keys': {
      parseArgs({ args: rest, options: {}, strict: true });
      const platform = await createPlatform(config, { migrate: true });
      try {
        const report = await platform.rotateKeys((f) =>
          platform.logger.error({ table: f.table, id: f.id, 'key.id': f.keyId, reason: f.reason }, 'sealed value not re-encrypted'),
        );
        const failed = report.credentials.failed + report.signing_keys.failed + report.oauth_tokens.failed + report.oauth_cookie_keys.failed;
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
    case 'backup':
    case 'restore': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, in: { type: 'string' }, yes: { type: 'boolean', default: false } }, strict: true });
      const file = command === 'backup' ? values.out : values.in;
      if (!file || (command === 'restore' && !values.yes)) {
        console.error(command === 'backup' ? 'backup: --out <file> is required' : 'restore: --in <file> and --yes (it replaces the database) are required');
        return 2;
      }
      const target = { databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, schema: config.DATABASE_SCHEMA };
      try {
        if (command === 'backup') {
          const done = await backup(target, file);
          console.log(JSON.stringify({ backup: file, ...done, schema: config.DATABASE_SCHEMA }));
          if (!config.PLATFORM_ENCRYPTION_KEY) console.error(`note: sealed values need the master key in ${config.DATA_DIR}/master.key, which the backup does not contain; keep a copy of it apart from the backup`);
        } else {
          const done = await restore(target, file);
          console.log(JSON.stringify({ restored: file, ...done, schema: config.DATABASE_SCHEMA }));
        }
        return 0;
      } catch (err) {
        if (err instanceof BackupError || (err as Error).name === 'DataDirInUseError') {
          console.error(`${command}: ${(err as Error).message}`);
          return 1;
        }
        throw err;
      }
    }
    case 'export-user':
    case 'delete-user': {
      const { values, positionals } = parseArgs({ args: rest, options: { out: { type: 'string' }, yes: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
      const who = positionals[0];
      if (!who || positionals.length > 1 || (command === 'delete-user' && !values.yes)) {
        console.error(command === 'export-user' ? 'export-user: give one user id or email' : 'delete-user: give one user id or email, and --yes (it cannot be undone)');
        return 2;
      }
      const platform = await createPlatform(config, { bootstrapAdmin: false });
      try {
        if (command === 'export-user') {
          const data = JSON.stringify(await exportUser(platform.database.db, platform.logging.audit, who), null, 2);
          if (values.out) await writeFile(values.out, `${data}\n`, { mode: 0o600 });
          else console.log(data);
        } else {
          // A provider's npm listings live under the packages root (as app.ts resolves it): removed with them.
          const packagesDir = path.resolve(config.MARKETPLACE_PACKAGES_DIR ?? path.join(config.DATA_DIR, 'marketplace-packages'));
          console.log(JSON.stringify(await deleteUser(platform.database.db, platform.logging.audit, who, { packagesDir })));
        }
        return 0;
      } catch (err) {
        if (err instanceof UserDataError) {
          console.error(`${command}: ${err.message}`);
          return 1;
        }
        throw err;
      } finally {
        await platform.close();
      }
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
