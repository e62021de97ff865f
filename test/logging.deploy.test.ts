import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { PlatformMetrics } from '../src/logging/index.js';

/** The shipped Grafana dashboard and Prometheus rules only use metrics the platform exports. */
describe('logging: deploy files', () => {
  const IGNORE = new Set(['histogram_quantile', 'label_values', 'clamp_min', 'rate_interval', 'status_class']);
  const names = (expr: string) =>
    [...expr.replaceAll('$__rate_interval', '').matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b(?!\s*[=~!])/g)]
      .map((m) => m[1]!)
      .filter((n) => !IGNORE.has(n))
      .map((n) => n.replace(/_(bucket|count|sum)$/, ''));

  const exported = async () => {
    const m = new PlatformMetrics({ dbPool: () => ({ total: 1, idle: 1, waiting: 0 }) });
    return new Set((await m.registry.getMetricsAsJSON()).map((x) => x.name));
  };

  it('alert rules reference exported metrics', async () => {
    const have = await exported();
    const doc = YAML.parse(await readFile('deploy/prometheus/alerts.yml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(10);
    const found = new Set(rules.flatMap((r) => names(r.expr)));
    expect(found.size).toBeGreaterThan(10);
    for (const r of rules) for (const n of names(r.expr)) expect(have, `${r.alert}: ${n}`).toContain(n);
  });

  it('dashboard panels reference exported metrics', async () => {
    const have = await exported();
    const dash = JSON.parse(await readFile('deploy/grafana/dashboard.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    expect(new Set(dash.panels.flatMap((p) => p.targets.flatMap((t) => names(t.expr)))).size).toBeGreaterThan(15);
    for (const p of dash.panels) for (const t of p.targets) for (const n of names(t.expr)) expect(have, `${p.title}: ${n}`).toContain(n);
  });
});
