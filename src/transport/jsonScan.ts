// One pass over JSON bytes as they arrive, before anything is parsed: it bounds the nesting
// depth (JSON.parse recurses, and a document nested 10^8 deep exhausts the heap or the stack)
// and counts the containers and values, from which the memory that JSON.parse will take is
// known before it runs. It does not check the grammar; JSON.parse does that afterwards.
import { ServiceError } from '../errors/catalog.ts';

/** Deepest nesting a request needs: a rank-8 tensor inside a v2 input inside the request (11),
 *  with room to spare. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

const COMMA_CLASS = 1;
const OPEN_CLASS = 2;
const CLOSE_CLASS = 3;
const QUOTE_CLASS = 4;
/** Each byte's role in the scan; 0 for the bytes it passes over. */
const CLASS = new Uint8Array(256);
CLASS[COMMA] = COMMA_CLASS;
CLASS[OPEN_ARRAY] = OPEN_CLASS;
CLASS[OPEN_OBJECT] = OPEN_CLASS;
CLASS[CLOSE_ARRAY] = CLOSE_CLASS;
CLASS[CLOSE_OBJECT] = CLOSE_CLASS;
CLASS[QUOTE] = QUOTE_CLASS;

/** V8's cost of a parsed container and of a value in it, in bytes. JSON.parse on Node 24 grows
 *  the heap per element (10^6 elements each) by: `[]` 40, `{}` 64, a one-number row `[0.5]` 64;
 *  numbers in one flat array 8, in rows of ten 13.6. A collector frees the document some time
 *  after it is dropped, and the service's RSS grew by ~6× the body for a 38 MiB request with
 *  rows of ten (test/hostile/concurrentUploads.test.ts): the estimate counts the values at 32. */
const BYTES_PER_CONTAINER = 64;
const BYTES_PER_VALUE = 32;

/** What a document holds, from which the memory JSON.parse takes for it is estimated. */
export class JsonCounts {
  containers = 0;
  commas = 0;

  /** Values in the document: every value but the first in a container follows a comma. */
  get values(): number {
    return this.commas + this.containers;
  }

  /** Bytes JSON.parse will allocate for the document scanned so far (its string included). */
  parsedBytes(textBytes: number): number {
    return textBytes + this.containers * BYTES_PER_CONTAINER + this.values * BYTES_PER_VALUE;
  }
}

const tooDeep = (field: string, where: string) => new ServiceError('invalid_body', `the ${field} is nested deeper than ${MAX_JSON_DEPTH} levels${where}; tensors have rank ≤ 8`);

export class JsonScanner extends JsonCounts {
  #depth = 0;
  #inString = false;
  #escaped = false;
  readonly #field: string;

  /** `field` names the document in errors ('body', 'the JSON header'). */
  constructor(field = 'body') {
    super();
    this.#field = field;
  }

  /** Scans the next bytes of the document; throws 400 past MAX_JSON_DEPTH. Bytes are looked up
   *  in a class table (most are digits, signs and dots: class 0, skipped at once) and a string
   *  is run through to its closing quote in an inner loop: ~3× faster than a chain of compares
   *  per byte, the scan of a small body costing about what its JSON.parse does before. */
  feed(bytes: Uint8Array): void {
    let depth = this.#depth;
    let containers = this.containers;
    let commas = this.commas;
    const n = bytes.length;
    // A string left open by the previous chunk (and an escape left pending) goes on here.
    let i = this.#inString ? this.#endOfString(bytes, 0) + 1 : 0;
    for (; i < n; i++) {
      const c = CLASS[bytes[i]];
      if (c === 0) continue;
      if (c === COMMA_CLASS) commas++;
      else if (c === OPEN_CLASS) {
        containers++;
        if (++depth > MAX_JSON_DEPTH) throw tooDeep(this.#field, ` (at byte ${i})`);
      } else if (c === CLOSE_CLASS) depth--;
      else i = this.#endOfString(bytes, i + 1);
    }
    this.#depth = depth;
    this.containers = containers;
    this.commas = commas;
  }

  /** The index of the quote that closes the string running from `from` (past escapes), or the
   *  last index when the chunk ends inside it (the state then carries over to the next chunk). */
  #endOfString(bytes: Uint8Array, from: number): number {
    let escaped = this.#escaped;
    for (let i = from; i < bytes.length; i++) {
      const b = bytes[i];
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = true;
      else if (b === QUOTE) {
        this.#inString = false;
        this.#escaped = false;
        return i;
      }
    }
    this.#inString = true;
    this.#escaped = escaped;
    return bytes.length - 1;
  }
}

/** Scans a whole document (a small body, parsed at once). */
export function scanJson(bytes: Uint8Array, field?: string): JsonScanner {
  const scanner = new JsonScanner(field);
  scanner.feed(bytes);
  return scanner;
}

/** The same bound and counts from a document JSON.parse has already made: for a small body, whose
 *  parse is bounded by its size (V8's JSON.parse does not recurse, so depth cannot exhaust its
 *  stack, and 64 KiB of brackets make at most ~2 MB of arrays), one walk over the values costs a
 *  fifth of a scan of the bytes. Nothing that recurses sees the document before this has. */
export function measureJson(value: unknown, field = 'body'): JsonCounts {
  const counts = new JsonCounts();
  if (typeof value !== 'object' || value === null) return counts;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > MAX_JSON_DEPTH) throw tooDeep(field, '');
    counts.containers++;
    const items: unknown[] = Array.isArray(v) ? v : Object.values(v);
    if (items.length > 1) counts.commas += items.length - 1;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'object' && item !== null) {
        stack.push(item);
        depths.push(depth + 1);
      }
    }
  }
  return counts;
}
