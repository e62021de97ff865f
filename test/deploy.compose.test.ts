import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../src/config/index.js';

/**
 * deploy/docker-compose.yml, checked statically (no container engine runs here): the services a
 * cluster needs, a healthcheck on each, only settings the platform knows, distinct replicas the
 * load balancer and Prometheus both name, files it mounts that exist, and an image whose
 * entrypoint runs the CLI's `serve`.
 */
const root = path.resolve(import.meta.dirname, '..');
const deploy = path.join(root, 'deploy');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
}

const compose = parse(readFileSync(path.join(deploy, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const replicas = Object.entries(services).filter(([, s]) => s.build);
const haproxy = readFileSync(path.join(deploy, 'haproxy/haproxy.cfg'), 'utf8');

describe('deploy/docker-compose.yml', () => {
  it('has PostgreSQL, Redis, the load balancer, 2+ platform replicas, Prometheus, Grafana, and ELK behind a profile', () => {
    for (const name of ['postgres', 'redis', 'lb', 'prometheus', 'grafana']) expect(services[name], name).toBeDefined();
    expect(replicas.length).toBeGreaterThanOrEqual(2);
    for (const name of ['elasticsearch', 'kibana', 'filebeat']) expect(services[name]?.profiles, name).toEqual(['elk']);
    // Everything else runs without a profile.
    for (const [name, s] of Object.entries(services)) if (!['elasticsearch', 'kibana', 'filebeat'].includes(name)) expect(s.profiles, name).toBeUndefined();
  });

  it('gives every service a healthcheck, and depends only on services that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test.length, `${name} has a healthcheck`).toBeGreaterThan(1);
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services, `${name} depends on ${dep}`).toHaveProperty(dep);
    }
    // The replicas wait for healthy stores and report ready only when /readyz passes.
    for (const [name, s] of replicas) {
      expect(s.depends_on?.postgres?.condition, name).toBe('service_healthy');
      expect(s.depends_on?.redis?.condition, name).toBe('service_healthy');
      expect(s.healthcheck!.test.join(' '), name).toContain('/readyz');
    }
  });

  it('sets only platform settings on the replicas, with the shared stores and key, and a distinct identity each', () => {
    const ids = new Set<string>();
    for (const [name, s] of replicas) {
      const env = s.environment ?? {};
      for (const key of Object.keys(env)) expect(CONFIG_VARIABLES, `${name}: ${key} is a platform setting`).toContain(key);
      expect(env.DATABASE_URL, name).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(env.REDIS_URL, name).toBe('redis://redis:6379');
      expect(env.PLATFORM_ENCRYPTION_KEY, name).toMatch(/^\$\{PLATFORM_ENCRYPTION_KEY:\?/);
      expect(env.REPLICA_ADDRESS, name).toBe(`http://${name}:${env.PORT}`);
      ids.add(env.REPLICA_ID!);
      expect(s.command, name).toEqual(['serve']);
      expect(s.ports, `${name} is reached through the load balancer only`).toBeUndefined();
    }
    expect(ids.size).toBe(replicas.length);
    // Same image and settings apart from identity.
    const strip = (e: Record<string, string> = {}) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('REPLICA_')));
    for (const [, s] of replicas) expect(strip(s.environment)).toEqual(strip(replicas[0]![1].environment));
  });

  it('publishes each host port once, the load balancer on the port the replicas serve', () => {
    const published = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]!));
    expect(new Set(published).size).toBe(published.length);
    const platformPort = replicas[0]![1].environment!.PORT!;
    expect(services.lb!.ports).toContain(`${platformPort}:${platformPort}`);
    expect(haproxy).toMatch(new RegExp(`^\\s*bind :${platformPort}$`, 'm'));
  });

  it('builds an image whose entrypoint is the CLI, and the CLI has `serve`', () => {
    for (const [name, s] of replicas) {
      const dockerfile = path.resolve(deploy, s.build!.context, s.build!.dockerfile);
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const text = readFileSync(dockerfile, 'utf8');
      const entry = /^ENTRYPOINT \["node", "(dist\/[^"]+)\.js"\]$/m.exec(text);
      expect(entry, 'ENTRYPOINT runs node on a built file').not.toBeNull();
      // dist/main.js is built from src/main.ts (tsconfig.build.json), which has the `serve` command.
      const source = path.join(root, entry![1]!.replace(/^dist\//, 'src/') + '.ts');
      expect(existsSync(source), source).toBe(true);
      expect(readFileSync(source, 'utf8')).toContain("case 'serve':");
    }
  });

  it('has the load balancer check /readyz on every replica, and nothing else', () => {
    expect(haproxy).toMatch(/option httpchk GET \/readyz/);
    const servers = [...haproxy.matchAll(/^\s*server (\S+) (\S+):(\d+)/gm)].map((m) => ({ name: m[1], host: m[2], port: m[3] }));
    expect([...new Set(servers.map((s) => s.host))].sort()).toEqual(replicas.map(([n]) => n).sort());
    for (const s of servers) expect(s.port).toBe(replicas[0]![1].environment!.PORT);
    expect(haproxy).toMatch(/default-server check /);
  });

  it('has Prometheus scrape every replica and the load balancer, with the rules it mounts', () => {
    const prom = parse(readFileSync(path.join(deploy, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = (job: string) => prom.scrape_configs.find((c) => c.job_name === job)!.static_configs.flatMap((c) => c.targets);
    expect(targets('mcp-platform').sort()).toEqual(replicas.map(([n, s]) => `${n}:${s.environment!.PORT}`).sort());
    const statsPort = /frontend stats\s+bind :(\d+)/.exec(haproxy)![1];
    expect(targets('haproxy')).toEqual([`lb:${statsPort}`]);
    const mounts = services.prometheus!.volumes!.map((v) => v.split(':'));
    for (const rule of prom.rule_files) expect(mounts.some(([, target]) => target === rule), `${rule} is mounted`).toBe(true);
  });

  it('mounts only files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('./')) continue; // named volumes and host paths of the Docker host
        expect(existsSync(path.join(deploy, source)), `${name}: ${source}`).toBe(true);
      }
    }
    // Grafana finds the dashboard where its provisioning looks.
    const provider = parse(readFileSync(path.join(deploy, 'grafana/provisioning/dashboards/mcp-platform.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(services.grafana!.volumes!.some((v) => v.split(':')[1]!.startsWith(provider.providers[0]!.options.path))).toBe(true);
  });

  it('has an HAProxy configuration that HAProxy accepts', (ctx) => {
    if (spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status !== 0) {
      ctx.skip(); // .ci/run installs haproxy; optional elsewhere
      return;
    }
    const check = spawnSync('haproxy', ['-c', '-f', path.join(deploy, 'haproxy/haproxy.cfg')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });
});
