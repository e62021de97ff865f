import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ATTR_DB_COLLECTION_NAME, ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME, ATTR_ERROR_TYPE, DB_SYSTEM_NAME_VALUE_POSTGRESQL } from '@opentelemetry/semantic-conventions';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, OperationNode, QueryResult } from 'kysely';
import { currentTracer } from '../tracing/index.js';

/**
 * DB spans: a Kysely dialect wrapper whose connections run each statement inside a client span
 * named `<OPERATION> <table>`. Attributes are the statement kind and table only, never the SQL's
 * parameters or text. Only statements inside a traced request get a span (background work such as
 * request-log batches would otherwise start a trace of its own per flush).
 */
const INSTRUMENTED = Symbol('mcp-platform.traced-connection');

export function tracedDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => tracedDriver(dialect.createDriver()),
  };
}

function tracedDriver(driver: Driver): Driver {
  return new Proxy(driver, {
    get(target, prop) {
      if (prop === 'acquireConnection') return async () => instrument(await target.acquireConnection());
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Patches a pooled connection once; the driver keeps getting its own object back. */
function instrument(connection: DatabaseConnection): DatabaseConnection {
  const marked = connection as DatabaseConnection & { [INSTRUMENTED]?: true };
  if (marked[INSTRUMENTED]) return connection;
  const execute = connection.executeQuery.bind(connection);
  marked.executeQuery = async <R>(compiled: CompiledQuery): Promise<QueryResult<R>> => {
    const tracer = currentTracer();
    const parent = tracer ? context.active() : undefined;
    const parentSpan = parent && trace.getSpan(parent);
    if (!tracer || !parent || !parentSpan?.isRecording()) return execute<R>(compiled);
    const { operation, table } = describeStatement(compiled);
    const span = tracer.startSpan(
      table ? `${operation} ${table}` : operation,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
          [ATTR_DB_OPERATION_NAME]: operation,
          ...(table ? { [ATTR_DB_COLLECTION_NAME]: table } : {}),
        },
      },
      parent,
    );
    try {
      return await execute<R>(compiled);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : 'error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  };
  marked[INSTRUMENTED] = true;
  return connection;
}

const NODE_OPERATIONS: Record<string, string> = {
  SelectQueryNode: 'SELECT',
  InsertQueryNode: 'INSERT',
  UpdateQueryNode: 'UPDATE',
  DeleteQueryNode: 'DELETE',
  MergeQueryNode: 'MERGE',
};
const RAW_OPERATIONS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'CREATE', 'DROP', 'ALTER', 'LOCK', 'SET', 'SHOW', 'TRUNCATE', 'COPY', 'MERGE', 'START']);
const IDENT = '(?:"[^"]{1,63}"|[A-Za-z_][A-Za-z0-9_$]{0,62})';
const RAW_TABLE = new RegExp(`\\b(?:from|into|update|join|table)\\s+(${IDENT}(?:\\.${IDENT})?)`, 'i');

/** Statement kind and first table: from Kysely's operation tree, or the SQL's first keyword and table for raw SQL. */
export function describeStatement(compiled: CompiledQuery): { operation: string; table: string | undefined } {
  const node = compiled.query as OperationNode & Record<string, unknown>;
  const operation = NODE_OPERATIONS[node.kind];
  if (operation) return { operation, table: tableOf(node) };
  const keyword = /^\s*([A-Za-z]+)/.exec(compiled.sql)?.[1]?.toUpperCase() ?? '';
  const m = RAW_TABLE.exec(compiled.sql);
  const table = m?.[1]?.split('.').pop()?.replace(/"/g, '');
  return { operation: RAW_OPERATIONS.has(keyword) ? keyword : 'OTHER', table };
}

function tableOf(node: Record<string, unknown>): string | undefined {
  const from = node.from as { froms?: unknown[] } | undefined;
  const candidate = node.into ?? node.table ?? from?.froms?.[0];
  return tableName(candidate);
}

function tableName(node: unknown): string | undefined {
  const n = node as { kind?: string; node?: unknown; table?: { identifier?: { name?: unknown } } } | undefined;
  if (!n) return undefined;
  if (n.kind === 'AliasNode') return tableName(n.node);
  if (n.kind === 'TableNode' && typeof n.table?.identifier?.name === 'string') return n.table.identifier.name;
  return undefined;
}
