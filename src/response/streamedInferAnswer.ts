// A binary v2 answer that leaves while the kernel runs: once a split request's checks have passed
// (the denominator is known, nothing can be refused any more for its inputs), the JSON header and
// then the gradient's bytes go out range by range as the workers finish them, straight from the
// shared output buffer; the rest (per_sample, the other gradients, value) follows when the last
// range is done. Reading the next request, computing and writing overlap instead of taking turns.
//
// Only the results can still fail after the header left: a value or gradient that overflows
// float64 (finite inputs, e.g. mse of 1e200). The status line has gone, so the connection is cut
// before Content-Length bytes arrive: the client sees a failed request, never a wrong 200
// (README, "Binary answers that stream").
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FloatArray } from '../losses/types.ts';
import type { AnswerSpec, KernelProgress, LossResult, LossTask } from '../task/lossTask.ts';
import { answerHeader, answerOutputs, bytesOf, outputData } from './inferResponse.ts';
import { elementCount } from '../losses/layout.ts';

/** Whether the answer can stream: every output binary, led by the first input's gradient, which
 *  the kernel writes in the request's layout (no axes moved back, no weighting applied after). */
export function canStream(task: LossTask, decoded: AnswerSpec): boolean {
  const [lead] = answerOutputs(task, decoded);
  return (
    lead?.binary === true &&
    lead.name.startsWith('gradient') &&
    task.wantGradient &&
    task.transpose === null &&
    (task.weighting ?? null) === null &&
    elementCount(task.shapes.gradient) === task.input.predictions.length
  );
}

export class StreamedInferAnswer {
  readonly #body = new PassThrough();
  #gradient: FloatArray | null = null;
  #sent = 0;
  #sizes: number[] = [];
  #started = false;

  readonly reply: FastifyReply;
  readonly modelName: string;
  readonly id: string | undefined;
  readonly task: LossTask;
  readonly decoded: AnswerSpec;

  constructor(reply: FastifyReply, modelName: string, id: string | undefined, task: LossTask, decoded: AnswerSpec) {
    this.reply = reply;
    this.modelName = modelName;
    this.id = id;
    this.task = task;
    this.decoded = decoded;
  }

  /** Whether the header has left (then the route must not answer otherwise). */
  get started() {
    return this.#started;
  }

  readonly progress: KernelProgress = {
    start: (step) => {
      const { text, sizes } = answerHeader(this.modelName, this.id, this.task, step.denominator, this.decoded);
      const header = Buffer.from(text, 'utf8');
      this.#sizes = sizes;
      this.#gradient = step.gradient;
      this.#started = true;
      const length = sizes.reduce((n, b) => n + b, header.byteLength);
      this.reply.type('application/octet-stream').headers({ 'inference-header-content-length': String(header.byteLength), 'content-length': String(length) });
      this.reply.send(this.#body);
      this.#body.write(header);
    },
    done: (elements) => this.#sendGradient(elements),
  };

  #sendGradient(to: number) {
    if (this.#gradient === null || to <= this.#sent) return;
    this.#body.write(bytesOf(this.#gradient, this.#sent, to));
    this.#sent = to;
  }

  /** The rest of the answer, once the result is complete and finite. */
  finish(result: LossResult): void {
    this.#sendGradient(this.task.input.predictions.length);
    const [, ...rest] = answerOutputs(this.task, this.decoded);
    for (const [i, { name }] of rest.entries()) {
      const bytes = bytesOf(outputData(name, this.task, result, this.decoded));
      // The header announced these sizes; anything else would corrupt the framing.
      if (bytes.byteLength !== this.#sizes[i + 1]) {
        this.abort(new Error(`output ${name}: ${bytes.byteLength} bytes where the header announced ${this.#sizes[i + 1]}`));
        return;
      }
      this.#body.write(bytes);
    }
    this.#body.end();
  }

  /** Cuts the answer short: the connection closes before Content-Length bytes. */
  abort(error: Error): void {
    this.#body.destroy(error);
  }
}
