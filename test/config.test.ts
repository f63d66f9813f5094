// Configuration: one schema (src/config.ts) declares every variable; a bad value is one line
// naming it; the options are the variables camelCased; the README's table is generated from it.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { configSchema, configTable, defaultOptions, loadConfig } from '../src/config.ts';
import { readmeFile, withConfigTable } from '../scripts/generate-config-table.ts';

describe('configuration', () => {
  test('each bad value is one line naming the variable', () => {
    const bad = loadConfig({ PORT: 'http', WORKERS: '0', LOG_LEVEL: 'loud', REQUEST_DEADLINE_MS: '-5' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors).toHaveLength(4);
      for (const v of ['PORT', 'WORKERS', 'LOG_LEVEL', 'REQUEST_DEADLINE_MS']) expect(bad.errors.some((e) => e.startsWith(`invalid ${v}=`))).toBe(true);
    }
    const good = loadConfig({ API_KEYS: 'a, b ,', CORS_ORIGINS: '*' });
    expect(good.ok && good.config.API_KEYS).toEqual(['a', 'b']);
  });
});

test('the options are the variables, camelCased, with the schema defaults', () => {
  const names = Object.keys(configSchema.shape);
  expect(Object.keys(defaultOptions)).toHaveLength(names.length);
  expect(defaultOptions.maxEventLoopDelayMs).toBe(configSchema.shape.MAX_EVENT_LOOP_DELAY_MS.parse(undefined));
  expect(defaultOptions.memoryBudgetBytes).toBe(0);
  expect(defaultOptions.apiKeys).toEqual([]);
});

test("the README's configuration table is the schema's (npm run docs:config writes it)", () => {
  const readme = readFileSync(readmeFile, 'utf8');
  expect(withConfigTable(readme)).toBe(readme);
  for (const name of Object.keys(configSchema.shape)) expect(configTable()).toContain(`| \`${name}\` |`);
});
