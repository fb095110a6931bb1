import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
// Relative on purpose, as in real-stack.ts: @rsvp/stack is not a dependency of the bench.
import { CASSANDRA_JVM17_OPTIONS } from '../../stack/src/cassandra-server.js';
import { javaCommand } from '../../stack/src/managed-server.js';
import { resolveSettings } from '../../stack/src/settings.js';
import { contactPoints, localDataCenter, message } from './real-stack.js';

/**
 * Cassandra's partition sizes for one keyspace, through `nodetool` (org.apache.cassandra.tools.NodeTool from
 * the jars `pnpm stack:up` assembled, against the node's JMX port: RSVP_CASSANDRA_JMX_PORT, 7199 by
 * default, which stack/src/cassandra-server.ts opens on loopback). Nothing here knows the store's tables:
 * they are whatever `nodetool tablestats <keyspace>` lists.
 */
export interface TablePartitions {
  readonly table: string;
  /** `Compacted partition maximum bytes` of tablestats (over the SSTables: after a flush). */
  readonly maxPartitionBytes: number;
  readonly meanPartitionBytes?: number;
  /** Partition size percentiles of tablehistograms, in bytes: 50 %, 95 %, 99 %, max. */
  readonly histogram?: Record<string, number>;
  readonly estimatedPartitions?: number;
  readonly liveBytes?: number;
}

export interface PartitionReport {
  readonly source: string;
  readonly tables: readonly TablePartitions[];
  readonly largest?: TablePartitions;
  readonly problems: readonly string[];
}

/** The directory of the Cassandra jars in the stack's cache (`~/.cache/rsvp-stack/cassandra-<version>/lib`). */
export function cassandraLibDir(): string | undefined {
  const cache = resolveSettings().cacheDir;
  if (!existsSync(cache)) return undefined;
  const dir = readdirSync(cache)
    .filter((name) => name.startsWith('cassandra-'))
    .sort()
    .at(-1);
  return dir && existsSync(join(cache, dir, 'lib')) ? join(cache, dir, 'lib') : undefined;
}

export async function nodetool(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const lib = cassandraLibDir();
  if (!lib) throw new Error(`no Cassandra jars under ${resolveSettings().cacheDir} (run pnpm stack:up once)`);
  const jmxPort = resolveSettings().cassandra.jmxPort;
  const javaArgs = [
    '-Xmx256m',
    // The module exports Cassandra's tools need on Java 17 (conf/jvm17-clients.options).
    ...CASSANDRA_JVM17_OPTIONS.filter((option) => option.startsWith('--add-')),
    '--add-exports=java.base/sun.nio.ch=ALL-UNNAMED',
    '-Dlogback.configurationFile=logback-tools.xml',
    '-cp',
    join(lib, '*'),
    'org.apache.cassandra.tools.NodeTool',
    ...['-h', '127.0.0.1', '-p', String(jmxPort)],
    ...args,
  ];
  return new Promise((done, fail) => {
    execFile(javaCommand(), javaArgs, { timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error)
        fail(
          new Error(
            `nodetool ${args.join(' ')}: ${(stderr || stdout || message(error)).trim().split('\n').slice(0, 3).join(' ')}`,
          ),
        );
      else done(stdout);
    });
  });
}

/** Parses `nodetool tablestats <keyspace>`: one entry per table. */
export function parseTablestats(text: string): TablePartitions[] {
  const tables: TablePartitions[] = [];
  for (const block of text.split(/^\s*Table(?: \(index\))?: /m).slice(1)) {
    const name = block.split('\n')[0]?.trim() ?? '';
    const number = (label: string) => {
      const match = new RegExp(`^\\s*${label}: ([\\d.,]+)`, 'm').exec(block);
      return match ? Number((match[1] as string).replace(/,/g, '')) : undefined;
    };
    const max = number('Compacted partition maximum bytes');
    if (max === undefined) continue;
    const mean = number('Compacted partition mean bytes');
    const estimate = number('Number of partitions \\(estimate\\)');
    const live = number('Space used \\(live\\)');
    tables.push({
      table: name,
      maxPartitionBytes: max,
      ...(mean !== undefined && { meanPartitionBytes: mean }),
      ...(estimate !== undefined && { estimatedPartitions: estimate }),
      ...(live !== undefined && { liveBytes: live }),
    });
  }
  return tables;
}

/** Parses the `Partition Size` column of `nodetool tablehistograms` (percentiles and max, in bytes). */
export function parseTablehistograms(text: string): Record<string, number> | undefined {
  const lines = text.split('\n');
  const header = lines.find((line) => /Partition\s+Size/i.test(line));
  if (!header) return undefined;
  // Columns: Percentile, Read Latency, Write Latency, SSTables, Partition Size, Cell Count (sizes in bytes).
  const out: Record<string, number> = {};
  for (const line of lines) {
    const match = /^\s*(50%|75%|95%|98%|99%|Min|Max)\s+(.*)$/.exec(line);
    if (!match) continue;
    const values = (match[2] as string).trim().split(/\s+/).map(Number);
    const size = values[3];
    if (size !== undefined && Number.isFinite(size)) out[(match[1] as string).toLowerCase()] = size;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Flushes the keyspace (so that the SSTables hold everything), then reads each table's largest partition
 * from `nodetool tablestats` and its size histogram from `tablehistograms`. When JMX does not answer (a
 * stack started before JMX was enabled), falls back to the virtual table `system_views.max_partition_size`
 * (Cassandra's own metric, by CQL on a system table, not on ours) and says so.
 */
export async function partitionSizes(keyspace: string): Promise<PartitionReport> {
  const problems: string[] = [];
  try {
    await nodetool(['flush', keyspace]);
    const tables = parseTablestats(await nodetool(['tablestats', keyspace]));
    const withHistograms: TablePartitions[] = [];
    for (const table of tables) {
      try {
        const histogram = parseTablehistograms(await nodetool(['tablehistograms', keyspace, table.table]));
        withHistograms.push({ ...table, ...(histogram && { histogram }) });
      } catch (error) {
        problems.push(message(error));
        withHistograms.push(table);
      }
    }
    return {
      source: 'nodetool flush, tablestats, tablehistograms',
      tables: withHistograms,
      ...largest(withHistograms),
      problems,
    };
  } catch (error) {
    problems.push(
      `${message(error)} — JMX is off on a Cassandra started before stack/src/cassandra-server.ts set ` +
        '-Dcassandra.jmx.local.port (restart the stack from this branch to enable it)',
    );
  }
  const client = new cassandra.Client({ contactPoints: [...contactPoints], localDataCenter });
  try {
    const result = await client.execute(
      'SELECT table_name, mebibytes FROM system_views.max_partition_size WHERE keyspace_name = ?',
      [keyspace],
    );
    // Whole mebibytes (rounded up: 1 for a small table), over the SSTables only: what memtables hold is not flushed without JMX.
    const tables = result.rows.map((row) => ({
      table: String(row.table_name),
      maxPartitionBytes: Number(row.mebibytes) * 2 ** 20,
    }));
    return {
      source: 'system_views.max_partition_size (JMX unavailable: whole MiB, rounded up; flushed SSTables only)',
      tables,
      ...largest(tables),
      problems,
    };
  } catch (error) {
    problems.push(`system_views.max_partition_size: ${message(error)}`);
    return { source: 'none', tables: [], problems };
  } finally {
    await client.shutdown().catch(() => {});
  }
}

function largest(tables: readonly TablePartitions[]): { largest?: TablePartitions } {
  const top = [...tables].sort((a, b) => b.maxPartitionBytes - a.maxPartitionBytes)[0];
  return top ? { largest: top } : {};
}
