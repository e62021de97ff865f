/**
 * The floor under issue 11's CPU budget (not a product; bench/profile-mcp.ts with BENCH_FLOOR=1):
 * the least a Node process can do to proxy a `tools/call` over HTTP. A `node:http` server reads
 * the request body whole, sends it with an undici Pool (keep-alive) to the upstream given as the
 * first argument, reads the answer whole, parses it once (as the platform does, for its id and
 * outcome) and writes it back with a Content-Length. No auth, limits, logging or metering: what the
 * platform spends above this figure in the same run is its own work. Prints `listening <port>`.
 */
import http from 'node:http';
import { Pool } from 'undici';

const upstream = new URL(process.argv[2] ?? '');
const pool = new Pool(upstream.origin, { connections: 64 });
const FORWARDED = ['content-type', 'accept', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id'];

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    pool
      .request({ method: 'POST', path: upstream.pathname, headers, body: Buffer.concat(chunks) })
      .then(async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        const type = String(answer.headers['content-type'] ?? 'application/json');
        if (type.startsWith('application/json')) JSON.parse(body.toString('utf8'));
        res.writeHead(answer.statusCode, { 'content-type': type, 'content-length': body.length });
        res.end(body);
      })
      .catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String((err as Error).message));
      });
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.close();
});
