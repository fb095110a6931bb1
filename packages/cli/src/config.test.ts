import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.js';

describe('readConfig', () => {
  it('has defaults for the local embedded run', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 5001, replay: undefined, rate: undefined, batchSize: 500 });
    expect(config.pipeline.windows.map((w) => w.name)).toEqual(['1m', '1h']);
    expect(config.pipeline).toMatchObject({ maxOutOfOrdernessMs: 5_000, allowedLatenessMs: 60_000 });
  });

  it('reads windows, durations and numbers', () => {
    const config = readConfig({
      windows: '30s, 1d/1h',
      allowedLateness: '0',
      outOfOrderness: '250ms',
      rate: '5000',
      port: '0',
    });
    expect(config.pipeline.windows).toEqual([
      { name: '30s', sizeMs: 30_000, slideMs: 30_000 },
      { name: '1d', sizeMs: 86_400_000, slideMs: 3_600_000 },
    ]);
    expect(config).toMatchObject({ rate: 5000, port: 0, pipeline: { allowedLatenessMs: 0, maxOutOfOrdernessMs: 250 } });
  });

  it.each([
    [{ port: '65536' }, /--port must be a whole number from 0 to 65535/],
    [{ port: '-1' }, /--port/],
    [{ rate: '0' }, /--rate/],
    [{ rate: '1.5' }, /--rate/],
    [{ windows: '1m,1m/30s' }, /same size/],
    [{ windows: '1x' }, /--windows: "1x" is not a window/],
    [{ allowedLateness: 'soon' }, /--allowed-lateness must be a duration/],
    [{ logLevel: 'loud' }, /--log-level/],
    [{ host: '' }, /--host/],
  ])('refuses %j with a clear message', (raw, message) => {
    expect(() => readConfig(raw)).toThrow(ConfigError);
    expect(() => readConfig(raw)).toThrow(message);
  });
});
