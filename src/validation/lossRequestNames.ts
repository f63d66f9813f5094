// The names in a POST /loss body, before its schema: the loss by any name it answers to (its own,
// an alias, PyTorch's or Keras's in any qualified form), inputs by the library's own argument
// names (Keras's y_pred, y_true), and a name that resolves to nothing answered with the closest
// ones, so that a person who mistyped one reads what they meant.
import { ServiceError } from '../errors/catalog.ts';
import { closestLossNames, findLoss } from '../losses/registry.ts';
import { closestNames, didYouMean } from '../losses/names.ts';
import { tensorInputs, type LossDefinition } from '../losses/types.ts';

/** The fields of a POST /loss body besides the loss's tensor inputs. */
const REQUEST_FIELDS = ['loss', 'params', 'reduction', 'include', 'regularization'];

/** The loss called `name`, or a 4xx naming the closest names (`field`: where the name was). */
export function resolveLossName(name: unknown, field: 'loss' | 'model' | 'name' | 'losses'): LossDefinition {
  if (name === undefined) throw new ServiceError('unknown_loss', `${field} is required: a loss name from GET /losses`, { field });
  if (typeof name !== 'string') throw new ServiceError('unknown_loss', `${field} must be a loss name (a string), not ${name === null ? 'null' : typeof name}`, { field });
  const def = findLoss(name);
  if (def !== undefined) return def;
  const hint = didYouMean(closestLossNames(name));
  const code = field === 'loss' ? 'unknown_loss' : 'not_found';
  throw new ServiceError(code, `unknown ${field === 'model' ? 'model' : 'loss'} ${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)}; ${hint === '' ? 'GET /losses lists every loss' : `${hint} (GET /losses lists every loss)`}`, { field });
}

/** An input name a loss does not take: the closest one it does take, named in the refusal. */
export function unknownInput(def: LossDefinition, given: string, known: readonly string[], what: string): ServiceError {
  const hint = didYouMean(closestNames(given, new Map(known.map((k) => [k, k]))));
  return new ServiceError('invalid_body', `${given}: ${hint === '' ? `${def.name} ${what} ${known.join(', ')}` : `${hint} (${def.name} ${what} ${known.join(', ')})`}`, { field: given });
}

/**
 * Resolves the names of a POST /loss body in place: `loss` becomes the canonical name, inputs
 * sent under the library's names move to the loss's (in `tensors` too, the decoded tensors by
 * field), and a field the loss does not take is refused with the closest one it does.
 */
export function resolveLossRequestNames<T>(body: Record<string, unknown>, tensors: Map<string, T> | undefined, otherFields: readonly string[] = []): LossDefinition {
  const def = resolveLossName(body.loss, 'loss');
  body.loss = def.name;
  const inputs = tensorInputs(def);
  for (const input of inputs) {
    const other = input.alsoNamed;
    if (other === undefined || !(other in body)) continue;
    if (input.name in body) throw new ServiceError('invalid_body', `${input.name} and ${other} are the same input; send one`, { field: other });
    body[input.name] = body[other];
    delete body[other];
    if (tensors?.has(other)) {
      tensors.set(input.name, tensors.get(other)!);
      tensors.delete(other);
    }
  }
  // An optional input sent as null is left out (scikit-learn's sample_weight=None).
  for (const input of inputs) if (input.optional && body[input.name] === null) delete body[input.name];
  const names = inputs.map((i) => i.name);
  const sentTensors = Object.keys(body).filter((k) => tensors?.has(k) === true);
  const foreign = sentTensors.filter((k) => !names.includes(k));
  // Another loss's tensors (predictions/targets sent to triplet_margin): which inputs this one takes.
  if (foreign.length > 0 && names.some((n) => !(n in body) && !inputs.find((i) => i.name === n)?.optional)) {
    throw new ServiceError('invalid_body', `${def.name} takes the inputs ${names.join(', ')}, not ${foreign.join(', ')}`);
  }
  const known = [...REQUEST_FIELDS, ...otherFields, ...names];
  const unknown = Object.keys(body).find((k) => !known.includes(k));
  if (unknown !== undefined) throw unknownInput(def, unknown, known, 'takes the fields');
  return def;
}
