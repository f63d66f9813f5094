// A minimal Open Inference Protocol client written from the protocol text (not from the
// service's code): builds infer bodies with the binary tensor data extension and splits
// binary responses the way tritonclient does. The one builder of v2 bodies, for the tests and
// the benchmarks alike.

export type V2Datatype = 'FP32' | 'FP64' | 'INT32' | 'INT64' | 'BOOL' | 'BYTES';

export interface V2Input {
  name: string;
  shape: number[];
  datatype: V2Datatype;
  /** Numbers (booleans for BOOL, strings for BYTES), or (binary inputs) a typed array of the
   *  datatype whose bytes are sent as they are. */
  data: number[] | boolean[] | string[] | ArrayBufferView;
  binary: boolean;
}

const SIZES: Record<Exclude<V2Datatype, 'BYTES'>, number> = { FP32: 4, FP64: 8, INT32: 4, INT64: 8, BOOL: 1 };

/** Binary tensor data: BYTES elements each a 4-byte little-endian length and its UTF-8 bytes. */
export function encodeTensor(values: number[] | boolean[] | string[], datatype: V2Datatype): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(
      (values as string[]).map((v) => {
        const utf8 = Buffer.from(v, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(utf8.length);
        return Buffer.concat([length, utf8]);
      }),
    );
  }
  const data = (values as (number | boolean)[]).map(Number);
  const buf = Buffer.alloc(data.length * SIZES[datatype]);
  data.forEach((v, i) => {
    if (datatype === 'FP32') buf.writeFloatLE(v, i * 4);
    else if (datatype === 'FP64') buf.writeDoubleLE(v, i * 8);
    else if (datatype === 'INT32') buf.writeInt32LE(v, i * 4);
    else if (datatype === 'INT64') buf.writeBigInt64LE(BigInt(v), i * 8);
    else buf.writeUInt8(v, i);
  });
  return buf;
}

export function decodeTensor(buf: Buffer, datatype: Exclude<V2Datatype, 'BYTES'>): number[] {
  const n = buf.length / SIZES[datatype];
  return Array.from({ length: n }, (_, i) =>
    datatype === 'FP32' ? buf.readFloatLE(i * 4) : datatype === 'FP64' ? buf.readDoubleLE(i * 8) : datatype === 'INT32' ? buf.readInt32LE(i * 4) : Number(buf.readBigInt64LE(i * 8)),
  );
}

/** Body and headers of an infer request. */
export function inferRequest(
  inputs: V2Input[],
  options: { id?: string; parameters?: Record<string, unknown>; outputs?: { name: string; parameters?: Record<string, unknown> }[] } = {},
): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  const json = {
    ...(options.id !== undefined ? { id: options.id } : {}),
    ...(options.parameters ? { parameters: options.parameters } : {}),
    inputs: inputs.map((t) => {
      const base = { name: t.name, shape: t.shape, datatype: t.datatype };
      if (!t.binary) return { ...base, data: ArrayBuffer.isView(t.data) ? Array.from(t.data as unknown as ArrayLike<number>) : t.data };
      const bytes = ArrayBuffer.isView(t.data) ? Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength) : encodeTensor(t.data, t.datatype);
      chunks.push(bytes);
      return { ...base, parameters: { binary_data_size: bytes.length } };
    }),
    ...(options.outputs ? { outputs: options.outputs } : {}),
  };
  const header = Buffer.from(JSON.stringify(json));
  if (chunks.length === 0) return { payload: header, headers: { 'content-type': 'application/json' } };
  return {
    payload: Buffer.concat([header, ...chunks]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
  };
}

export interface V2Output {
  name: string;
  shape: number[];
  datatype: V2Datatype;
  data: number[];
}

/** tritonclient's algorithm: split at Inference-Header-Content-Length, walk the outputs in order. */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the service answered
export function parseInferResponse(body: Buffer, headers: Record<string, unknown>): { json: Record<string, any>; outputs: Map<string, V2Output> } {
  const hl = headers['inference-header-content-length'];
  const json = JSON.parse((hl === undefined ? body : body.subarray(0, Number(hl))).toString('utf8'));
  let offset = hl === undefined ? 0 : Number(hl);
  const outputs = new Map<string, V2Output>();
  for (const o of json.outputs) {
    const size = o.parameters?.binary_data_size;
    let data: number[];
    if (size !== undefined) {
      data = decodeTensor(body.subarray(offset, offset + size), o.datatype);
      offset += size;
    } else {
      data = (o.data as unknown[]).flat(Infinity) as number[];
    }
    outputs.set(o.name, { name: o.name, shape: o.shape, datatype: o.datatype, data });
  }
  if (offset !== body.length && hl !== undefined) throw new Error(`response has ${body.length - offset} trailing bytes`);
  return { json, outputs };
}
