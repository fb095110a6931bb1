import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WindowSpec } from '@rsvp/core';
import Mustache from 'mustache';

const TEMPLATES = new URL('../templates/', import.meta.url);

/** The dashboard's page: no data in it (it comes through `/api/live`), no inline script or style. */
export const DASHBOARD_HTML = readFileSync(new URL('dashboard.html', TEMPLATES), 'utf8');
Mustache.parse(DASHBOARD_HTML);

/** The page with the configured window families in its window selector (names escaped by mustache). */
export function dashboardPage(windows: readonly WindowSpec[]): string {
  return Mustache.render(DASHBOARD_HTML, {
    windows: windows.map((spec) => ({ name: spec.name, sizeMs: spec.sizeMs })),
  });
}
export const DASHBOARD_CSS = readFileSync(new URL('dashboard.css', TEMPLATES), 'utf8');

/**
 * The dashboard's script as `pnpm build` bundles it (`scripts/bundle-dashboard.ts`), beside this module in
 * `dist/`: what the built and the published package serve.
 */
export const PREBUILT_DASHBOARD_SCRIPT = new URL('dashboard.bundle.js', import.meta.url);

/** The dashboard's entry point: its TypeScript source (`src/dashboard/main.ts`), for bundling. */
export function dashboardEntry(): string {
  const url = new URL('dashboard/main.ts', import.meta.url);
  if (!existsSync(url)) throw new Error(`the dashboard's source is missing beside ${fileURLToPath(import.meta.url)}`);
  return fileURLToPath(url);
}

let script: Promise<string> | undefined;

/**
 * The dashboard's script as one file for the browser: the bundle `pnpm build` wrote, read once. Run from
 * the sources (tsx, vitest: no bundle beside this module), it is bundled in memory on first use instead,
 * by esbuild, a development dependency (a failed bundle is tried again on the next request).
 */
export function dashboardScript(): Promise<string> {
  script ??= (
    existsSync(PREBUILT_DASHBOARD_SCRIPT) ? readFile(PREBUILT_DASHBOARD_SCRIPT, 'utf8') : bundleDashboard()
  ).catch((error: unknown) => {
    script = undefined;
    throw error;
  });
  return script;
}

/** Bundles `src/dashboard/` with esbuild (a development dependency: at build time, or from the sources). */
export async function bundleDashboard(): Promise<string> {
  const esbuild = 'esbuild'; // not a static import: the built package neither needs nor has it
  const { build } = (await import(esbuild).catch(() => {
    throw new Error('the dashboard script was not bundled: run `pnpm build` (esbuild is only a dev dependency)');
  })) as typeof import('esbuild');
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
