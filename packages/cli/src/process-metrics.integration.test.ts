import { randomBytes } from 'node:crypto';
import { createKafka, createRecordSender, ensureTopics, publish } from '@rsvp/adapter-kafka';
import type { Tallies } from '@rsvp/core';
import { connectionSettings } from '@rsvp/stack';
import { recordedLines } from '@rsvp/testkit';
import type { Container } from 'inversify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from './config.js';
import { createContainer } from './container.js';
import { type RunningRole, startProcess } from './roles.js';
import { systemClock } from './system-clock.js';

const brokers = connectionSettings().kafka.brokers;
const kafka = createKafka({ brokers, clientId: 'process-metrics-test' });

let container: Container | undefined;
let running: RunningRole | undefined;
afterEach(async () => {
  await running?.stop();
  await container?.unbindAllAsync();
});

async function fill(topic: string, lines: readonly string[]): Promise<void> {
  const producer = createRecordSender(kafka);
  await producer.connect();
  await publish(producer, lines, { topic, batchSize: 200, clock: systemClock });
  await producer.disconnect();
}

function scrape(text: string) {
  const records = [...text.matchAll(/^rsvp_records_total\{outcome="(\w+)",reason="(\w*)"\} (\d+)$/gm)];
  const lags = [...text.matchAll(/^rsvp_consumer_lag\{topic="([^"]+)",partition="(\d+)"\} (\d+)$/gm)];
  return {
    records: records.reduce((sum, [, , , n]) => sum + Number(n), 0),
    deadLettered: records
      .filter(([, outcome]) => outcome === 'dead_lettered')
      .reduce((s, [, , , n]) => s + Number(n), 0),
    lags: new Map(lags.map(([, topic, partition, n]) => [`${topic}:${partition}`, Number(n)])),
  };
}

describe('rsvp process --source kafka --metrics-port', () => {
  it('serves the records by outcome and the consumer lag of each partition, down to 0 when drained', async () => {
    const id = randomBytes(5).toString('hex');
    const topic = `metrics-${id}`;
    await ensureTopics(
      kafka,
      [topic, `${topic}.dlq`].map((name) => ({ topic: name, partitions: 3, replicationFactor: 1 })),
    );
    const lines = recordedLines('meetup.json');
    await fill(topic, lines);

    const config = readConfig({
      source: 'kafka',
      kafkaBrokers: brokers.join(','),
      kafkaTopic: topic,
      kafkaDlqTopic: `${topic}.dlq`,
      kafkaGroup: `processors-${id}`,
      kafkaPartitions: '3',
      batchSize: '50',
      metricsPort: '0',
      logLevel: 'silent',
    });
    container = await createContainer(config, pino({ level: 'silent' }));
    let printed = '';
    running = await startProcess(container, (line) => {
      printed = line;
    });
    const metrics = async () => scrape(await (await fetch(`${running?.metricsUrl}/metrics`)).text());

    // Some lag is seen on the way (the topic was full before the processor started), then none.
    let lagSeen = 0;
    let last = await metrics();
    const deadline = Date.now() + 60_000;
    while (!(last.records === lines.length && last.lags.size === 3 && [...last.lags.values()].every((n) => n === 0))) {
      expect(Date.now(), 'every record counted and no lag left').toBeLessThan(deadline);
      lagSeen = Math.max(lagSeen, ...last.lags.values());
      await new Promise((resolve) => setTimeout(resolve, 20));
      last = await metrics();
    }
    expect(lagSeen).toBeGreaterThan(0);
    expect([...last.lags.keys()].sort()).toEqual([`${topic}:0`, `${topic}:1`, `${topic}:2`]);

    // More records: the lag shows them until they are processed.
    await fill(topic, lines.slice(0, 100));
    while (last.records < lines.length + 100 || [...last.lags.values()].some((n) => n > 0)) {
      expect(Date.now(), 'the new records counted and no lag left').toBeLessThan(deadline + 30_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      last = await metrics();
    }
    expect(last.records).toBe(lines.length + 100);

    await running.stop();
    await running.done;
    const { tallies } = JSON.parse(printed) as { tallies: Tallies };
    expect(tallies.received).toBe(lines.length + 100);
    expect(last.deadLettered).toBe(Object.values(tallies.deadLettered).reduce((a, b) => a + b, 0));
    // Stopped, the process consumes no partition: no lag is reported any more.
    expect((await metrics()).lags.size).toBe(0);
    running = undefined;
  });
});
