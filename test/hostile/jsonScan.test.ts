// The JSON pre-scan: depth bounded as bytes arrive, containers and values counted, strings and
// escapes skipped.
import { expect, test } from 'vitest';
import { JsonScanner, MAX_JSON_DEPTH, scanJson } from '../../src/transport/jsonScan.ts';

const bytes = (s: string) => Buffer.from(s);

test('counts containers and commas outside strings', () => {
  const scan = scanJson(bytes('{"a":[1,2,3],"b":"[,{\\"]","c":[[1],[2]]}'));
  expect(scan.containers).toBe(5);
  expect(scan.commas).toBe(2 + 2 + 1);
});

test(`refuses nesting deeper than ${MAX_JSON_DEPTH} as soon as the byte arrives, across chunk boundaries`, () => {
  const scanner = new JsonScanner('body');
  scanner.feed(bytes('['.repeat(MAX_JSON_DEPTH - 1)));
  scanner.feed(bytes('['));
  expect(() => scanner.feed(bytes('['))).toThrow(/nested deeper than 32/);
});

test('brackets inside strings, even after escaped quotes split across chunks, do not count', () => {
  const scanner = new JsonScanner();
  scanner.feed(bytes('{"k":"\\'));
  scanner.feed(bytes(`"${'['.repeat(100)}"}`));
  expect(scanner.containers).toBe(1);
});

test('the parsed-size estimate grows with containers and values', () => {
  const flat = scanJson(bytes(`[${Array(1000).fill(0.5).join(',')}]`));
  const rows = scanJson(bytes(`[${Array(1000).fill('[0.5]').join(',')}]`));
  expect(rows.parsedBytes(6000)).toBeGreaterThan(flat.parsedBytes(6000) + 1000 * 50);
});
