// A JSON request body → its value, with every tensor in it already decoded into a typed array.
// (POST /loss: a flat Float64Array and its shape; v2: the array of the input's datatype.)
// Runs on the main thread for small bodies and in a worker for large ones (parseJsonBody.ts):
// the same function either way, so both give the same answer and the same refusals.
//
// Tensors leave the document: each one is decoded into a flat Float64Array (the number parsing
// and the shape checks happen once, here) and its place in the value is left as an empty array.
// The zod request schemas then check the document's small remainder in microseconds instead of
// walking millions of numbers on the main thread, and the route takes the decoded tensor by its
// path. A tensor that does not decode keeps its refusal until the route asks for it, so requests
// are refused in the same order as before (the schema first, then each tensor).
import sjson from 'secure-json-parse';
import { ServiceError } from '../errors/catalog.ts';
import { decodeJsonTensor, NON_FINITE_TOKEN, type TakenData, type TakenTensor } from '../validation/decodeJsonTensor.ts';

export type { TakenData, TakenTensor, TensorProblem } from '../validation/decodeJsonTensor.ts';
import { BYTES_PER_ELEMENT, fromJsonData, type Datatype } from '../validation/datatypes.ts';
import { findLoss, losses } from '../losses/registry.ts';
import { isLabelInput, tensorInputs } from '../losses/types.ts';
import { elementCount } from '../losses/layout.ts';

/** Which document this is: where its tensors are, and how they decode. */
export type DocumentKind = 'loss' | 'infer';

export interface JsonDocument {
  value: unknown;
  /** Decoded tensors by their path in the document: `predictions`, `inputs[0].data`, ... */
  tensors: Map<string, TakenTensor>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Slot {
  path: string;
  holder: Record<string, unknown>;
  key: string;
  /** A label input (scikit-learn's y_true): strings and booleans allowed. */
  labels?: boolean;
}

/** Every name a loss gives a tensor input (predictions, targets, input1, anchor, ..., and the
 *  library's own names a request may use instead: y_pred, y_true). */
const TENSOR_NAMES = [...new Set(losses.flatMap((def) => tensorInputs(def).flatMap((i) => (i.alsoNamed === undefined ? [i.name] : [i.name, i.alsoNamed]))))];

/** POST /loss: the top-level tensors and the regularization's parameters. */
function lossSlots(body: unknown): Slot[] {
  if (!isObject(body)) return [];
  const slots: Slot[] = [];
  // The loss's label inputs (by any name the request gives them) keep their strings.
  const def = typeof body.loss === 'string' ? findLoss(body.loss) : undefined;
  // Arrays, and bare numbers (rank-0 tensors).
  for (const key of TENSOR_NAMES) {
    if (Array.isArray(body[key]) || typeof body[key] === 'number') slots.push({ path: key, holder: body, key, labels: def !== undefined && isLabelInput(def, key) });
  }
  const reg = body.regularization;
  if (isObject(reg) && (Array.isArray(reg.parameters) || typeof reg.parameters === 'number')) slots.push({ path: 'regularization.parameters', holder: reg, key: 'parameters' });
  return slots;
}

/** A v2 infer request: each input's `data`. */
function inferSlots(body: unknown): Slot[] {
  if (!isObject(body) || !Array.isArray(body.inputs)) return [];
  const slots: Slot[] = [];
  body.inputs.forEach((input: unknown, i: number) => {
    if (isObject(input) && Array.isArray(input.data)) slots.push({ path: `inputs[${i}].data`, holder: input, key: 'data' });
  });
  return slots;
}

const isShape = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);

function take(kind: DocumentKind, slot: Slot): TakenTensor | null {
  const raw = slot.holder[slot.key];
  try {
    if (kind === 'loss') return decodeJsonTensor(raw, slot.path, slot.labels);
    // v2: converted to the input's declared datatype here, off the main thread for large bodies.
    // An input whose shape or datatype is malformed keeps its data: the infer decoder refuses it.
    const { shape, datatype, name } = slot.holder;
    if (!isShape(shape) || typeof datatype !== 'string' || !Object.hasOwn(BYTES_PER_ELEMENT, datatype)) return null;
    const count = elementCount(shape);
    return { data: fromJsonData(raw, datatype as Datatype, count, String(name)), shape };
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    return { problem: { code: err.code, detail: err.message, field: err.field, index: err.index } };
  }
}

const TOKENS = ['NaN', 'Infinity', '-Infinity'];

/** A body that is JSON but for NaN, Infinity or -Infinity where a number goes (Python's json.dumps
 *  writes them): its value with each such token as a string the tensor decoders refuse by name
 *  and index (NON_FINITE_TOKEN), so the user learns which element it is. Undefined when the body
 *  holds none of them outside strings, or is not JSON even with them replaced. Runs only after
 *  JSON.parse failed: a well-formed body never pays for it. */
function withNonFiniteTokens(text: string): unknown {
  const out: string[] = [];
  let from = 0;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skipped whole, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (c !== 0x4e && c !== 0x49 && c !== 0x2d) continue; // N, I, -
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token === undefined) continue;
    out.push(text.slice(from, i), JSON.stringify(NON_FINITE_TOKEN + token));
    from = i + token.length;
    i = from - 1;
    found = true;
  }
  if (!found) return undefined;
  out.push(text.slice(from));
  try {
    return sjson.parse(out.join(''), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    return undefined;
  }
}

/** Parses a JSON document (`what` names it in errors) and takes its tensors out. */
export function parseJsonDocument(bytes: Uint8Array, kind: DocumentKind, what = 'the body'): JsonDocument {
  return takeTensors(parseJsonText(bytes, what), kind);
}

/** The value of a JSON document (`what` names it in errors). */
export function parseJsonText(bytes: Uint8Array, what = 'the body'): unknown {
  if (bytes.byteLength === 0) throw new ServiceError('invalid_body', `${what} is empty; send a JSON object`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const value = withNonFiniteTokens(text);
    if (value === undefined) throw new ServiceError('invalid_body', `${what} is not valid JSON: ${(err as Error).message}`);
    return value;
  }
}

/** A parsed document with its tensors decoded and taken out (their places left empty). */
export function takeTensors(value: unknown, kind: DocumentKind): JsonDocument {
  const tensors = new Map<string, TakenTensor>();
  for (const slot of kind === 'loss' ? lossSlots(value) : inferSlots(value)) {
    const taken = take(kind, slot);
    if (taken === null) continue;
    tensors.set(slot.path, taken);
    slot.holder[slot.key] = [];
  }
  return { value, tensors };
}

/** The decoded tensor at `path`, or its refusal. */
export function tensorAt(doc: Pick<JsonDocument, 'tensors'>, path: string): TakenData | undefined {
  const t = doc.tensors.get(path);
  if (t === undefined) return undefined;
  if ('problem' in t) throw new ServiceError(t.problem.code, t.problem.detail, { field: t.problem.field, index: t.problem.index });
  return t;
}
