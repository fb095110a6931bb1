import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEMPLATES = new URL('../templates/', import.meta.url);

/** The dashboard's page: static, no data in it (it comes through `/api/live`), no inline script or style. */
export const DASHBOARD_HTML = readFileSync(new URL('dashboard.html', TEMPLATES), 'utf8');
export const DASHBOARD_CSS = readFileSync(new URL('dashboard.css', TEMPLATES), 'utf8');

/**
 * The dashboard's entry point: the TypeScript source when running from the sources (tsx, vitest), the
 * JavaScript tsc wrote beside this module when running from the published package (dist).
 */
export function dashboardEntry(): string {
  for (const name of ['dashboard/main.ts', 'dashboard/main.js']) {
    const url = new URL(name, import.meta.url);
    if (existsSync(url)) return fileURLToPath(url);
  }
  throw new Error(`the dashboard's script is missing beside ${fileURLToPath(import.meta.url)}`);
}

let bundled: Promise<string> | undefined;

/**
 * The dashboard's script as one file for the browser, bundled by esbuild in memory on first use and kept
 * (a failed bundle is tried again on the next request).
 */
export function dashboardScript(): Promise<string> {
  bundled ??= bundle().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [dashboardEntry()],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no dashboard script');
  return output.text;
}
