// Features per second through onnxruntime-node (ORT's official Node.js binding, same library, same file).
// Usage: node ort_node.js model.onnx threads batch[:iterations] ...   (NODE_PATH: the unpacked packages)
const ort = require('onnxruntime-node');
(async () => {
  const [model, threads, ...specs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all', executionProviders: ['cpu'],
  });
  const name = session.inputNames[0];
  for (const spec of specs) {
    const [batch, iterations = 10] = spec.split(':').map(Number);
    const data = new Float32Array(batch * 3 * 224 * 224).map(() => Math.random());
    const feeds = { [name]: new ort.Tensor('float32', data, [batch, 3, 224, 224]) };
    await session.run(feeds);
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await session.run(feeds);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`onnxruntime-node batch=${batch} features/s=${(batch * iterations / seconds).toFixed(2)}`);
  }
})().catch(e => { console.error(e); process.exit(1); });
