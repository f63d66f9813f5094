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

/** V8's cost of a parsed container and of a value in it, in bytes. JSON.parse on Node 24 grows
 *  the heap per element (10^6 elements each) by: `[]` 40, `{}` 64, a one-number row `[0.5]` 64;
 *  numbers in one flat array 8, in rows of ten 13.6. A collector frees the document some time
 *  after it is dropped, and the service's RSS grew by ~6× the body for a 38 MiB request with
 *  rows of ten (test/hostile/concurrentUploads.test.ts): the estimate counts the values at 32. */
const BYTES_PER_CONTAINER = 64;
const BYTES_PER_VALUE = 32;

export class JsonScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  containers = 0;
  commas = 0;
  readonly #field: string;

  /** `field` names the document in errors ('body', 'the JSON header'). */
  constructor(field = 'body') {
    this.#field = field;
  }

  /** Scans the next bytes of the document; throws 400 past MAX_JSON_DEPTH. */
  feed(bytes: Uint8Array): void {
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    let containers = this.containers;
    let commas = this.commas;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        containers++;
        if (++depth > MAX_JSON_DEPTH) {
          throw new ServiceError('invalid_body', `the ${this.#field} is nested deeper than ${MAX_JSON_DEPTH} levels (at byte ${i}); tensors have rank ≤ 8`);
        }
      } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
      else if (b === COMMA) commas++;
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
    this.containers = containers;
    this.commas = commas;
  }

  /** Values in the document: every value but the first in a container follows a comma. */
  get values(): number {
    return this.commas + this.containers;
  }

  /** Bytes JSON.parse will allocate for the document scanned so far (its string included). */
  parsedBytes(textBytes: number): number {
    return textBytes + this.containers * BYTES_PER_CONTAINER + this.values * BYTES_PER_VALUE;
  }
}

/** Scans a whole document (a small body, parsed at once). */
export function scanJson(bytes: Uint8Array, field?: string): JsonScanner {
  const scanner = new JsonScanner(field);
  scanner.feed(bytes);
  return scanner;
}
