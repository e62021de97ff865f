import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * axe-core on the page as it is now (WCAG 2.x A/AA rules). Returns the serious and critical
 * violations as readable lines, so a test can expect an empty list and show what failed.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // A transition that starts while axe reads the page (a notification closing itself after its
  // delay, say) gives it colours mid-fade: scan again once settled, up to three times.
  for (let attempt = 1; ; attempt++) {
    await settle(page);
    const startedBefore = await transitionsStarted(page);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    if ((await transitionsStarted(page)) !== startedBefore && attempt < 3) continue;
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} (${n.any[0]?.message ?? n.failureSummary ?? ''})`).slice(0, 3).join(' | ')}`);
  }
}

/**
 * Colours mid-transition (a dialog fading in) are not what a person reads: waits for them to settle.
 * (Polled with page.evaluate: waitForFunction's string form is eval, which the page's CSP refuses.)
 * A dialog opened by the click just before starts its transition a frame or two later (Mantine's
 * useTransition): three frames pass first, or the poll finds nothing running yet.
 */
async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(resolve))))');
  for (let i = 0; i < 50; i++) {
    const running = (await page.evaluate("document.getAnimations().filter((a) => a.playState === 'running').length")) as number;
    if (running === 0) break;
    await page.waitForTimeout(100);
  }
}

/** How many CSS transitions and animations have started on the page since this was first asked (a counter the page keeps). */
async function transitionsStarted(page: Page): Promise<number> {
  return (await page.evaluate(
    "(() => { const w = window; if (w.__a11yTransitionsStarted === undefined) { w.__a11yTransitionsStarted = 0; const count = () => { w.__a11yTransitionsStarted += 1; }; document.addEventListener('transitionstart', count, true); document.addEventListener('animationstart', count, true); } return w.__a11yTransitionsStarted; })()",
  )) as number;
}
