// Runs the support copilot's workers against TEMPORAL_ADDRESS, as a production deployment would
// (`warden worker` does the same from warden.config.ts): `tsx examples/support-copilot/worker.ts`.
import { loadConfig, loadProject, resolveTemporal, startWardenWorkers } from 'warden';

const project = await loadProject({ config: new URL('./warden.config.ts', import.meta.url).pathname });
const config = loadConfig(process.env, { policyDir: project.policyDir });
const endpoint = await resolveTemporal(config, { log: (line) => console.error(line) });
const workers = await startWardenWorkers({ config, endpoint, project });
console.log(`serving ${workers.queues.join(', ')}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void workers.shutdown().then(() => endpoint.stop());
  });
}
