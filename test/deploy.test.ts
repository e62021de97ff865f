import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES } from '../src/config/index.js';

/**
 * No Docker engine or Kubernetes cluster runs here, so the deploy files are checked statically:
 * they parse, name only settings the platform knows, probe routes it serves, and (when kubectl is
 * installed) kustomize renders them.
 */
const root = path.resolve(import.meta.dirname, '..');
const k8sDir = path.join(root, 'deploy/k8s');

function k8sDocs(): Array<Record<string, unknown>> {
  return readdirSync(k8sDir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) =>
      parseAllDocuments(readFileSync(path.join(k8sDir, f), 'utf8')).map((d) => {
        expect(d.errors, `${f} parses`).toEqual([]);
        return d.toJS() as Record<string, unknown>;
      }),
    )
    .filter(Boolean);
}

describe('deployment files', () => {
  it('Kubernetes manifests set only known configuration variables', () => {
    const docs = k8sDocs();
    const data = docs
      .filter((d) => d.kind === 'ConfigMap' || d.kind === 'Secret')
      .flatMap((d) => Object.keys((d.data ?? d.stringData ?? {}) as Record<string, string>));
    expect(data.length).toBeGreaterThan(5);
    for (const key of data) expect(CONFIG_VARIABLES, `${key} is a platform setting`).toContain(key);
  });

  it('the Deployment probes the health routes and runs as non-root', () => {
    const deployment = k8sDocs().find((d) => d.kind === 'Deployment') as {
      spec: { template: { spec: { securityContext: { runAsNonRoot: boolean }; containers: Array<Record<string, { httpGet?: { path: string } }>> } } };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it('the Dockerfile copies only paths that exist and runs the CLI', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const src of sources) expect(existsSync(path.join(root, src)), `${src} exists`).toBe(true);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "dist\/main.js"\]/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('kustomize renders the manifests', (ctx) => {
    if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) {
      ctx.skip(); // kubectl is optional on this machine; .ci/run installs it when apt can
      return;
    }
    const out = execFileSync('kubectl', ['kustomize', k8sDir], { encoding: 'utf8' });
    expect(out).toContain('kind: Deployment');
    expect(out).toContain('namespace: mcp-platform');
  });
});
