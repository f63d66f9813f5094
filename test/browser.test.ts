// A real browser (Debian's chromium driven by playwright-core): Swagger UI executes the POST /loss
// example and shows a 200 with a value; /explore's index, search, controls, overlay and comparison. Screenshots go to
// test-output/ (ignored by git).
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
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

/** The names of the series drawn in the page's chart, and one series' points attribute. */
const chartSeries = (page: Page) => page.$$eval('#chart polyline', (lines) => [...new Set(lines.map((l) => l.getAttribute('data-series')))]);
const chartPoints = (page: Page, series: string) => page.$$eval(`#chart polyline[data-series="${series}"]`, (lines) => lines.map((l) => l.getAttribute('points')).join(' '));

test('/explore: the index by family and its search, the stories loaded', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/explore`, { waitUntil: 'networkidle' });
  expect(await page.locator('#index li').count()).toBe(losses.length);
  expect(await page.locator('#index section h3').allTextContents()).toEqual([expect.stringMatching(/^Regression/), expect.stringMatching(/^Binary/), expect.stringMatching(/^Multi-class/), expect.stringMatching(/^Keras/), expect.stringMatching(/^scikit-learn/)]);
  const images = page.locator('#view img');
  expect(await images.count()).toBe(Object.keys(comparisons).length);
  for (let i = 0; i < (await images.count()); i++) {
    await images.nth(i).scrollIntoViewIfNeeded();
    await expect.poll(() => images.nth(i).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0), { timeout: 10_000 }).toBe(true);
  }
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${OUT}explore.png` });
  // The search matches names, library names and summaries: "focal" finds the three focal losses,
  // "MSELoss" (PyTorch's class) finds mse.
  await page.fill('#search', 'focal');
  expect(await page.locator('#index li:not([hidden])').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-loss')))).toEqual(['sigmoid_focal', 'keras.binary_focal_crossentropy', 'keras.categorical_focal_crossentropy']);
  await page.fill('#search', 'MSELoss');
  expect(await page.locator('#index li:not([hidden])').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-loss')))).toEqual(['mse']);
  await page.press('#search', 'Enter');
  await page.waitForSelector('#chart svg');
  expect(page.url()).toContain('#loss=mse');
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

test('/explore: moving a control redraws the chart; PyTorch and Keras over each other; the overlay switched off', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/explore#loss=huber`);
  await page.waitForSelector('#chart svg');
  expect(await chartSeries(page)).toEqual(['huber', 'huber derivative', 'keras.huber', 'keras.huber derivative']);
  const before = await chartPoints(page, 'huber');
  // Drag the slider (fill sets its value and fires input): the chart is asked again with delta.
  await page.locator('[data-slider="delta"]').fill('0.3');
  await expect.poll(() => page.locator('#chart').getAttribute('data-url'), { timeout: 15_000 }).toContain('delta=0.3');
  await page.waitForSelector('#chart:not([aria-busy])');
  const after = await chartPoints(page, 'huber');
  expect(after).not.toBe(before);
  expect(await page.inputValue('#param-delta')).toBe('0.3');
  // The shared delta reached Keras's huber too: the two curves are drawn at the same points.
  expect(await chartPoints(page, 'keras.huber')).toBe(after);
  expect(page.url()).toContain('delta=0.3');
  await page.screenshot({ path: `${OUT}explore-huber.png` });
  await page.uncheck('#overlay');
  await expect.poll(() => chartSeries(page), { timeout: 15_000 }).toEqual(['loss', 'derivative']);
  // A boolean control: keras.binary_crossentropy with from_logits.
  await page.goto(`${base}/explore#loss=keras.binary_crossentropy`);
  await page.waitForSelector('#chart svg');
  await page.check('#param-from_logits');
  await expect.poll(() => page.locator('#chart').getAttribute('data-url'), { timeout: 15_000 }).toContain('from_logits=true');
  await page.close();
}, 60_000);

test('/explore: a comparison of three losses chosen by the user', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/explore#compare=mse,l1`);
  await page.waitForSelector('#chart svg');
  expect(await chartSeries(page)).toEqual(['mse', 'l1']);
  await page.selectOption('#compare-3', 'huber');
  await page.check('#compare-derivative');
  await expect.poll(() => chartSeries(page), { timeout: 15_000 }).toEqual(['mse', 'mse derivative', 'l1', 'l1 derivative', 'huber', 'huber derivative']);
  await page.screenshot({ path: `${OUT}explore-compare.png` });
  await page.close();
}, 60_000);
