import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where a `node --cpu-prof` profile spent its time: by package (self time) and by function. */
export interface ProfileSummary {
  readonly file: string;
  readonly wallMs: number;
  /** Time the main thread had nothing to do (waiting for I/O). */
  readonly idleMs: number;
  /** Self time by where the code lives, busy time only, largest first. */
  readonly byPackage: readonly { readonly name: string; readonly ms: number; readonly shareOfBusy: number }[];
  /** Functions by self time, largest first. */
  readonly topSelf: readonly { readonly name: string; readonly ms: number; readonly shareOfBusy: number }[];
  /** Functions of @rsvp/* by inclusive time (what they and their callees cost), largest first. */
  readonly topInclusive: readonly { readonly name: string; readonly ms: number; readonly shareOfBusy: number }[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function packageOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (SPECIAL.has(functionName)) return functionName;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace && !url.includes('node_modules')) return `@rsvp/${workspace[1]}`;
  const module = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (module) return module[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  if (url === '') return 'V8 builtins and native code';
  return url;
}

function frameName(frame: ProfileNode['callFrame']): string {
  const file = frame.url.split('/').at(-1) ?? '';
  return `${frame.functionName || '(anonymous)'} ${file ? `(${packageOf(frame)} ${file}:${frame.lineNumber + 1})` : ''}`.trim();
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>(); // node id → µs
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const wall = (profile.endTime - profile.startTime) / 1000;
  let idle = 0;
  const packages = new Map<string, number>();
  const selfByName = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    const node = byId.get(id) as ProfileNode;
    const ms = micros / 1000;
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    const pkg = packageOf(node.callFrame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    const name = frameName(node.callFrame);
    selfByName.set(name, (selfByName.get(name) ?? 0) + ms);
    // Each @rsvp function on the stack once, however deep the recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      if (!packageOf(frame).startsWith('@rsvp/')) continue;
      const key = frameName(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const busy = Math.max(1, wall - idle);
  const ranked = (entries: Map<string, number>, n: number) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), shareOfBusy: Math.round((ms / busy) * 1000) / 1000 }));
  return {
    file,
    wallMs: Math.round(wall),
    idleMs: Math.round(idle),
    byPackage: ranked(packages, 20),
    topSelf: ranked(selfByName, top),
    topInclusive: ranked(inclusive, top),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  const lines = [
    `profile ${summary.file}: wall ${summary.wallMs} ms, idle ${summary.idleMs} ms (${pct(summary.idleMs / Math.max(1, summary.wallMs))} of wall)`,
    'self time by package (share of busy time):',
    ...summary.byPackage.map((p) => `  ${pct(p.shareOfBusy).padStart(7)}  ${p.ms} ms  ${p.name}`),
    'top functions, self time:',
    ...summary.topSelf.map((p) => `  ${pct(p.shareOfBusy).padStart(7)}  ${p.ms} ms  ${p.name}`),
    '@rsvp functions, inclusive time:',
    ...summary.topInclusive.map((p) => `  ${pct(p.shareOfBusy).padStart(7)}  ${p.ms} ms  ${p.name}`),
  ];
  return lines.join('\n');
}

// `tsx bench/src/cpu-profile.ts <file.cpuprofile>` prints the summary of a profile.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  process.stdout.write(`${formatProfile(summarizeProfile(process.argv[2]))}\n`);
}
