// The JSON pre-scan: depth bounded as bytes arrive, containers and values counted, strings and
// escapes skipped.
import { expect, test } from 'vitest';
import { JsonScanner, MAX_JSON_DEPTH, measureJson, scanJson } from '../../src/transport/jsonScan.ts';

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

test('split anywhere, the scan counts what one pass over the document counts (strings, escapes and brackets in them, random documents)', () => {
  // The count by the grammar: containers and commas outside strings, from the parsed document.
  const expected = (v: unknown): { containers: number; commas: number } => {
    if (Array.isArray(v) || (typeof v === 'object' && v !== null)) {
      const items = Array.isArray(v) ? v : Object.values(v);
      const inner = items.map(expected);
      return { containers: 1 + inner.reduce((a, b) => a + b.containers, 0), commas: Math.max(0, items.length - 1) + inner.reduce((a, b) => a + b.commas, 0) };
    }
    return { containers: 0, commas: 0 };
  };
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const strings = ['a', '[', ']{', ',', 'x\\"y', '\\\\', '\\\\"', '"', '\\u005b', '{,}'];
  const value = (depth: number): unknown => {
    const k = rand(depth > 4 ? 3 : 5);
    if (k === 0) return rand(1000) / 7;
    if (k === 1) return strings[rand(strings.length)];
    if (k === 2) return null;
    if (k === 3) return Array.from({ length: rand(4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [`${strings[rand(strings.length)]}${i}`, value(depth + 1)]));
  };
  for (let doc = 0; doc < 300; doc++) {
    const v = value(0);
    const text = Buffer.from(JSON.stringify(v));
    const want = expected(v);
    for (let split = 0; split < 5; split++) {
      const scanner = new JsonScanner();
      let at = 0;
      while (at < text.length) {
        const next = Math.min(text.length, at + 1 + rand(7));
        scanner.feed(text.subarray(at, next));
        at = next;
      }
      expect({ containers: scanner.containers, commas: scanner.commas }, text.toString()).toEqual(want);
    }
    // A small body's walk over its parsed value counts the same.
    const walked = measureJson(v);
    expect({ containers: walked.containers, commas: walked.commas }, text.toString()).toEqual(want);
  }
});

test(`the walk over a parsed small body refuses nesting deeper than ${MAX_JSON_DEPTH}, whatever the containers`, () => {
  const nested = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : depth % 2 === 0 ? [nested(depth - 1, leaf)] : { k: nested(depth - 1, leaf) });
  expect(measureJson(nested(MAX_JSON_DEPTH, 1)).containers).toBe(MAX_JSON_DEPTH);
  expect(() => measureJson(nested(MAX_JSON_DEPTH + 1, 1), 'body')).toThrow(/the body is nested deeper than 32 levels/);
  // 30,000 deep, as JSON.parse makes it from 60 KB of brackets (it does not recurse): refused, no stack overflow.
  expect(() => measureJson(JSON.parse(`${'['.repeat(30_000)}${']'.repeat(30_000)}`))).toThrow(/nested deeper than 32/);
  expect(measureJson(3).values).toBe(0);
});
