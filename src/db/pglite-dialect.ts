import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';

/**
 * What the dialect needs of PGlite: the PGlite instance itself, or the worker thread that runs one
 * (`PGliteThread`, pglite-thread.ts).
 */
export interface PGliteClient {
  query<R>(sql: string, params: unknown[]): Promise<{ rows: R[]; affectedRows?: number | undefined }>;
  close(): Promise<void>;
}

/**
 * Kysely dialect for embedded PGlite.
 *
 * PGlite is a single connection. Kysely runs a transaction as BEGIN ... COMMIT on one
 * acquired connection, so the connection must be held exclusively until it is released;
 * otherwise a concurrent request's queries would land inside someone else's transaction.
 * (kysely-pglite hands the shared client out without such a lock, which is why this exists.)
 */
export class PGliteDialect implements Dialect {
  /**
   * `lane`: the dialects of one PGlite share its `PGliteLock`; a `background` one (writes nobody
   * waits for, such as the request log) gets the connection only when no `foreground` query waits,
   * and does not close the client (the foreground one owns it).
   */
  constructor(
    private readonly client: PGliteClient,
    private readonly lock = new PGliteLock(),
    private readonly lane: Lane = 'foreground',
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.client, this.lock, this.lane);
  }
  createIntrospector(db: Parameters<Dialect['createIntrospector']>[0]) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

type Lane = 'foreground' | 'background';

/** Most foreground hand-overs in a row while a background acquirer waits (then it goes). */
const FOREGROUND_RUN = 8;

/**
 * The one connection of a PGlite, held by one acquirer at a time. Waiting foreground acquirers
 * come first, each lane in arrival order: a call's write that its answer waits for (the usage
 * meter's, docs/billing.md) then waits at most for the one statement running, not also for the
 * request log's batches queued before it. A waiting background acquirer is not starved: after
 * `FOREGROUND_RUN` hand-overs in a row to the foreground while it waits, it gets the next one.
 */
export class PGliteLock {
  private held = false;
  private readonly waiting: Record<Lane, Array<() => void>> = { foreground: [], background: [] };
  /** Foreground hand-overs in a row while background acquirers waited. */
  private run = 0;

  /** Resolves once the connection is this caller's; call the returned function to give it back. */
  async acquire(lane: Lane): Promise<() => void> {
    if (this.held) await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    this.held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const { foreground, background } = this.waiting;
      const backgroundsTurn = background.length > 0 && (foreground.length === 0 || this.run >= FOREGROUND_RUN);
      this.run = backgroundsTurn || background.length === 0 ? 0 : this.run + 1;
      const next = backgroundsTurn ? background.shift() : foreground.shift();
      if (next) next(); // handed over: stays held
      else this.held = false;
    };
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;

  constructor(
    private readonly client: PGliteClient,
    private readonly lock: PGliteLock,
    private readonly lane: Lane,
  ) {
    this.connection = new PGliteConnection(client);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.lock.acquire(this.lane);
    this.connection.release = release;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.connection.release;
    this.connection.release = undefined;
    release?.();
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }
  async destroy(): Promise<void> {
    if (this.lane === 'foreground') await this.client.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  release: (() => void) | undefined;
  constructor(private readonly client: PGliteClient) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.client.query<R>(compiled.sql, [...compiled.parameters]);
    const affected = result.affectedRows;
    return {
      rows: result.rows,
      ...(affected !== undefined ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries');
  }
}
