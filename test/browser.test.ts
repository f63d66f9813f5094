// A real browser (Debian's chromium driven by playwright-core): Swagger UI executes the POST /loss
// example and shows a 200 with a value; /explore shows the pictures. Screenshots go to
// test-output/ (ignored by git).
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from './support/testApp.ts';
import { losses } from '../src/losses/registry.ts';
import { comparisons } from '../src/plots/comparisons.ts';

const OUT = new URL('../test-output/', import.meta.url).pathname;
let app: FastifyInstance;
let browser: Browser;
let base: string;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  app = await buildTestApp({ workers: 1 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // Flags the probe of these machines found needed: no sandbox as root, no GPU, and no
    // background networking (the closed network refuses it).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test('Swagger UI: expand POST /loss, Try it out, Execute the example: 200 with a value', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  await page.goto(`${base}/docs`);
  const operation = page.locator('.opblock-post', { has: page.locator('.opblock-summary-path', { hasText: /^\/loss$/ }) });
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const status = operation.locator('.live-responses-table tr.response .response-col_status').first();
  await expect.poll(async () => (await status.textContent())?.trim(), { timeout: 15_000 }).toBe('200');
  const body = await operation.locator('.live-responses-table tr.response .response-col_description pre.microlight, .live-responses-table tr.response .response-col_description pre').first().textContent();
  expect(JSON.parse(body ?? '{}')).toMatchObject({ value: expect.any(Number) });
  await operation.locator('.live-responses-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${OUT}swagger-post-loss.png` });
  await operation.locator('.responses-wrapper').screenshot({ path: `${OUT}swagger-post-loss-response.png` });
  await page.close();
}, 60_000);

test('/explore shows every picture, loaded', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${base}/explore`, { waitUntil: 'networkidle' });
  const images = page.locator('img');
  const count = await images.count();
  expect(count).toBe(losses.length + Object.keys(comparisons).length); // every loss and every comparison
  for (let i = 0; i < count; i++) {
    await images.nth(i).scrollIntoViewIfNeeded();
    await expect.poll(() => images.nth(i).evaluate((img) => { const image = img as unknown as { complete: boolean; naturalWidth: number }; return image.complete && image.naturalWidth > 0; }), { timeout: 10_000 }).toBe(true);
  }
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${OUT}explore.png`, fullPage: false });
  await page.screenshot({ path: `${OUT}explore-full.png`, fullPage: true });
  await page.close();
}, 60_000);
