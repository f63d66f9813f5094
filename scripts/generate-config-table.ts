// Writes the README's configuration table from the one schema in src/config.ts, between the
// config markers. `npm run docs:config`; test/config.test.ts fails when the README drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '../src/config.ts';

export const readmeFile = new URL('../README.md', import.meta.url);
const START = /<!-- config:start[^>]*-->\n/;
const END = '<!-- config:end -->';

/** The README with its configuration table between the markers replaced by `table`. */
export function withConfigTable(readme: string, table = configTable()): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (start === null || end < 0) throw new Error('README.md has no config:start / config:end markers');
  return `${readme.slice(0, start.index + start[0].length)}${table}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(readmeFile, withConfigTable(readFileSync(readmeFile, 'utf8')));
  console.log(`wrote the configuration table of ${readmeFile.pathname}`);
}
