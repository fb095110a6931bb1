/**
 * `pnpm build` (after `tsc -b`): bundles the dashboard's TypeScript into `dist/dashboard.bundle.js`, which
 * the built package serves as `/dashboard.js`. esbuild runs here, at build time, never in production.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleDashboard } from '../src/dashboard-assets.js';

const target = fileURLToPath(new URL('../dist/dashboard.bundle.js', import.meta.url));
const script = await bundleDashboard();
writeFileSync(target, script);
console.log(`bundled the dashboard: ${target} (${(script.length / 1024).toFixed(1)} KiB)`);
