import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * axe-core on the page as it is now (WCAG 2.x A/AA rules). Returns the serious and critical
 * violations as readable lines, so a test can expect an empty list and show what failed.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Colours mid-transition (a dialog fading in) are not what a person reads: wait for them to settle.
  // (Polled with page.evaluate: waitForFunction's string form is eval, which the page's CSP refuses.)
  // A dialog opened by the click just before starts its transition a frame or two later (Mantine's
  // useTransition): let three frames pass first, or the poll finds nothing running yet.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(resolve))))');
  for (let i = 0; i < 50; i++) {
    const running = (await page.evaluate("document.getAnimations().filter((a) => a.playState === 'running').length")) as number;
    if (running === 0) break;
    await page.waitForTimeout(100);
  }
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} (${n.any[0]?.message ?? n.failureSummary ?? ''})`).slice(0, 3).join(' | ')}`);
}
