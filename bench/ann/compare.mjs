// The npm side of the ANN comparison: hnswlib-node and usearch over the vector files Quarry.AnnBench wrote
// (base.f32, queries.f32, meta.txt, truth.i32 = Quarry's exact top 10), same M and efConstruction, single-threaded
// per-query searches. Usage: node compare.mjs /tmp/quarry-ann [M] [efConstruction] [ef,ef,...]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dir = process.argv[2] ?? '/tmp/quarry-ann';
const M = Number(process.argv[3] ?? 16);
const efConstruction = Number(process.argv[4] ?? 100);
const efs = (process.argv[5] ?? '16,32,64,128').split(',').map(Number);
const K = 10;

const [n, dim, q] = readFileSync(join(dir, 'meta.txt'), 'utf8').trim().split(' ').map(Number);
const floats = (name) => { const b = readFileSync(join(dir, name)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const base = floats('base.f32');
const queries = floats('queries.f32');
const truthBytes = readFileSync(join(dir, 'truth.i32'));
const truth = new Int32Array(truthBytes.buffer, truthBytes.byteOffset, truthBytes.byteLength / 4);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
// CPU seconds of this process, not wall time: the machine is shared, and a descheduled thread costs wall time only.
const cpuSeconds = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1e6; };
const row = (i) => base.subarray(i * dim, (i + 1) * dim);
const query = (i) => queries.subarray(i * dim, (i + 1) * dim);

function recall(results) {
  let found = 0;
  for (let i = 0; i < q; i++) {
    const expected = new Set(truth.subarray(i * K, (i + 1) * K));
    for (const id of results[i]) if (expected.has(id)) found++;
  }
  return found / (q * K);
}

function measure(search) {
  for (let i = 0; i < Math.min(20, q); i++) search(query(i));
  const results = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < q; i++) results.push(search(query(i)));
  return { recall: recall(results), qps: q / cpuSeconds(cpu) };
}

function rssDelta(build) {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const cpu = process.cpuUsage();
  const index = build();
  const seconds = cpuSeconds(cpu);
  globalThis.gc?.();
  const after = process.memoryUsage();
  // Native indexes live outside the JS heap: RSS growth is what they hold.
  return { index, seconds, bytes: after.rss - before.rss };
}

console.log(`# ${n} vectors × ${dim}, ${q} queries, top ${K}, M=${M}, efConstruction=${efConstruction}, load ${load()}`);
console.log('| engine | setting | recall@10 | queries per CPU-second | build CPU s | bytes/vector (RSS growth) |');
console.log('|---|---|---|---|---|---|');

try {
  const { HierarchicalNSW } = require('hnswlib-node');
  const { index, seconds, bytes } = rssDelta(() => {
    const index = new HierarchicalNSW('ip', dim);
    index.initIndex(n, M, efConstruction, 100);
    for (let i = 0; i < n; i++) index.addPoint(Array.from(row(i)), i);
    return index;
  });
  for (const ef of efs) {
    index.setEf(Math.max(ef, K));
    const { recall: r, qps } = measure((v) => index.searchKnn(Array.from(v), K).neighbors);
    console.log(`| hnswlib-node | ef=${ef} | ${r.toFixed(3)} | ${qps.toFixed(0)} | ${seconds.toFixed(1)} | ${(bytes / n).toFixed(0)} |`);
  }
} catch (e) {
  console.log(`| hnswlib-node | — | — | — | — | ${e.message.split('\n')[0]} |`);
}

try {
  const usearch = require('usearch');
  const { index, seconds, bytes } = rssDelta(() => {
    const index = new usearch.Index({ metric: 'ip', dimensions: dim, connectivity: M, expansion_add: efConstruction, expansion_search: 64 });
    index.reserve?.(n);
    // One add per vector, single-threaded, as hnswlib-node above and Quarry build.
    for (let i = 0; i < n; i++) index.add(BigInt(i), row(i), 1);
    return index;
  });
  // expansion_search is fixed when an index is made: save once, load into one index per ef.
  const saved = join(dir, 'usearch.index');
  index.save(saved);
  for (const ef of efs) {
    const loaded = new usearch.Index({ metric: 'ip', dimensions: dim, connectivity: M, expansion_add: efConstruction, expansion_search: Math.max(ef, K) });
    loaded.load(saved);
    const { recall: r, qps } = measure((v) => Array.from(loaded.search(v, K, 1).keys, Number));
    console.log(`| usearch | ef=${ef} | ${r.toFixed(3)} | ${qps.toFixed(0)} | ${seconds.toFixed(1)} | ${(bytes / n).toFixed(0)} |`);
  }
} catch (e) {
  console.log(`| usearch | — | — | — | — | ${e.message.split('\n')[0]} |`);
}
console.log(`# load ${load()}`);
