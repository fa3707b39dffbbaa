import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gamifier } from '../src/app.js';
import { createLogger } from '../src/infrastructure/logger.js';
import { startHttpServer, type RunningServer } from '../src/http/server.js';
import { startTestApp, stopTestApp } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const WAIT = { timeout: 10_000 };

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core).
 * The app runs with one attempt per event and a notifier whose first delivery
 * always fails, so a level-up notification dead-letters and its replay succeeds.
 */
describe('dashboard in Chromium', () => {
  let app: Gamifier;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startTestApp('dashboard', { EVENT_RETRY_MAX_ATTEMPTS: '1', NOTIFIER_FAILURE_RATE: '1' });
    server = await startHttpServer(app, { port: 0, logger: createLogger('silent') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await stopTestApp(app);
  });

  const award = (player: string, points: number, reason = 'browser test') =>
    fetch(`${server.url}/api/players/${player}/points`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ points, reason }),
    }).then((r) => r.json());

  it('loads, shows awarded points live, and replaying a dead letter empties its row', async () => {
    // Given the dashboard, connected to the live stream
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    await expect(page.title()).resolves.toContain('Gamifier');
    await page.locator('#connection-text', { hasText: 'live' }).waitFor(WAIT);
    await page.locator('#setup', { hasText: 'memory transport · memory store' }).waitFor(WAIT);

    // And some background traffic (players who stay below level 2, so nothing dead-letters)
    for (let round = 0; round < 12; round++) {
      await Promise.all(Array.from({ length: 12 }, (_, i) => award(`fan-${String(i + 1).padStart(2, '0')}`, 3 + ((i * round) % 5))));
      await new Promise((r) => setTimeout(r, 100));
    }

    // When points are awarded through the API, enough for a level-up
    const result = await award('browser-ada', 150, 'live demo');
    expect(result.player).toMatchObject({ id: 'browser-ada', level: 2 });

    // Then the award shows up in the live flow and the leaderboard
    await page.locator('#flow li[data-aggregate-id="browser-ada"][data-type="gamifier.points.awarded"]').first().waitFor(WAIT);
    await page.locator('#leaderboard tr[data-player="browser-ada"]').waitFor(WAIT);
    await expect(page.locator('#leaderboard tr').first().getAttribute('data-player')).resolves.toBe('browser-ada');
    await page.locator('#by-type .bar[data-type="gamifier.points.awarded"]').waitFor(WAIT);

    // And the level-up notification, failed on its only attempt, is listed as a dead letter
    const row = page.locator('#dead-letters tr[data-id]');
    await row.first().waitFor(WAIT);
    await expect(row.count()).resolves.toBe(1);
    await expect(row.first().textContent()).resolves.toContain('NotificationUnavailableError');
    await page.locator('#kpi-dead', { hasText: '1' }).waitFor(WAIT);
    const id = await row.first().getAttribute('data-id');
    await page.waitForTimeout(1200); // let the charts draw a second or two of the traffic above for the screenshot
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    // When its Replay button is clicked
    const sentBefore = app.notifier.sentCount;
    await row.first().getByRole('button', { name: 'Replay' }).click();

    // Then its row empties, the notification went out, and the list stays empty
    await page.locator(`#dead-letters tr[data-id="${id}"]`).waitFor({ state: 'detached', ...WAIT });
    await page.locator('#dead-letters tr.empty', { hasText: 'none' }).waitFor(WAIT);
    await app.settle(10_000);
    expect(app.notifier.sentCount).toBe(sentBefore + 1);
    expect(await app.bus.deadLetters.list()).toHaveLength(0);
    await page.locator('#kpi-dead', { hasText: '0' }).waitFor(WAIT);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-after-replay.png`, fullPage: true });
    expect(errors).toEqual([]);
  });

  it('opened after some activity, starts with the latest events and failures', async () => {
    // Given traffic and a failure that happened while no dashboard was open
    await award('late-bo', 4, 'before the page opened');
    await award('late-cy', 150, 'level-up before the page opened');
    await app.settle(10_000);

    // When a new dashboard opens
    const late = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    try {
      await late.goto(`${server.url}/`);

      // Then its live flow and failures panels already show what just happened
      await late.locator('#flow li[data-aggregate-id="late-cy"]').first().waitFor(WAIT);
      await late.locator('#flow li[data-aggregate-id="late-bo"]').first().waitFor(WAIT);
      await late.locator('#failures li', { hasText: 'NotificationUnavailableError' }).first().waitFor(WAIT);
      expect(await late.locator('#flow li').count()).toBeLessThanOrEqual(80);
    } finally {
      await late.close();
    }
  });

  it('shows a field error when the award form is given bad input', async () => {
    await page.fill('#award-form input[name="player"]', 'form-player');
    await page.fill('#award-form input[name="reason"]', 'x'.repeat(201));
    await page.click('#award-form button[type="submit"]');
    await page.locator('#award-result.err', { hasText: 'reason:' }).waitFor(WAIT);
    await page.fill('#award-form input[name="reason"]', 'form award');
    await page.click('#award-form button[type="submit"]');
    await page.locator('#award-result.ok', { hasText: 'form-player' }).waitFor(WAIT);
  });
});
