// P3's background load, in its own process so that it cannot stall the process that measures the
// small requests: CLIENTS loops sending P2's 1M x 10 cross_entropy binary request to URL, back to
// back, until SIGTERM; prints how many completed.   node load/largeClient.ts URL [CLIENTS]
import { classificationData, v2BinaryBody } from './support/bodies.ts';
import { timedRequest } from './support/timedRequest.ts';

const [url, clients = '2'] = process.argv.slice(2);
const { logits, labels } = classificationData(1_000_000, 10);
const { body, headers } = v2BinaryBody(
  [
    { name: 'predictions', shape: [1_000_000, 10], datatype: 'FP32', data: logits },
    { name: 'targets', shape: [1_000_000], datatype: 'INT64', data: labels },
  ],
  {},
  ['value', 'gradient'],
);
let stop = false;
let done = 0;
process.on('SIGTERM', () => {
  stop = true;
});
const loop = async () => {
  while (!stop) {
    const t = await timedRequest(url, body, headers);
    if (t.status !== 200) throw new Error(`large request answered ${t.status}`);
    done++;
  }
};
console.log('ready');
await Promise.all(Array.from({ length: Number(clients) }, loop));
console.log(`done ${done}`);
