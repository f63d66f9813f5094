// A health prober in its own process, as Kubernetes' kubelet is: GETs `url` every `everyMs`
// until its standard input closes, then prints the latencies (ms) as one JSON line.
// Usage: node load/support/prober.ts <url> [everyMs]
const [url, every = '20'] = process.argv.slice(2);
const latencies: number[] = [];
let stop = false;
process.stdin.on('end', () => (stop = true)).resume();
while (!stop) {
  const started = performance.now();
  try {
    const res = await fetch(url);
    await res.text();
    latencies.push(res.ok ? performance.now() - started : Number.POSITIVE_INFINITY);
  } catch {
    latencies.push(Number.POSITIVE_INFINITY);
  }
  await new Promise((r) => setTimeout(r, Number(every)));
}
process.stdout.write(`${JSON.stringify(latencies.map((l) => (Number.isFinite(l) ? l : -1)))}\n`);
