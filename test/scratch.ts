import http from 'node:http';
import { conformanceServer } from './fixtures/conformance-server.js';
import { fixtureCatalog, fixtureConnector, service, startMcpPlatform, tokenAuth, user } from './support/mcp.js';
const alice = user('alice');
const p = await startMcpPlatform({ catalog: fixtureCatalog([service('conformance')]), connector: fixtureConnector({ conformance: () => conformanceServer() }), authenticate: tokenAuth([alice]) }, { LOG_LEVEL: 'debug' });
const upstream = new URL(p.url);
const server = http.createServer((req, res) => {
  const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: (req.url ?? '/').replace(/^\/mcp/, '/mcp/conformance'), headers: { ...req.headers, authorization: `Bearer ${alice.token}` } }, (pres) => { res.writeHead(pres.statusCode ?? 502, pres.headers); pres.pipe(res); });
  out.on('error', () => res.destroy()); req.pipe(out); res.on('close', () => out.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(`PROXY http://localhost:${(server.address() as {port:number}).port}/mcp`));
