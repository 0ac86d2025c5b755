// `npm start`: serves the demo page (www/) and the built package (pkg/) from the built-in mock
// Qlik tenant on 127.0.0.1, so the page works with no real tenant. PORT overrides the port.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockTenant } from '../tests/mock-tenant/server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 8787);

const tenant = await startMockTenant({
  port,
  allowAnonymous: true,
  static: { '/': join(root, 'www'), '/pkg/': join(root, 'pkg') },
});
console.log(`Demo page and mock Qlik tenant: ${tenant.url}/`);
console.log('Press Ctrl+C to stop.');
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { await tenant.close(); process.exit(0); });
}
