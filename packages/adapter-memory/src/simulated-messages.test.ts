import { RsvpSimulator } from '@rsvp/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { paced, simulatedMessages } from './simulated-messages.js';

describe('paced', () => {
  it('takes each item only when it is due, so a generator dates items when they go out', async () => {
    const clock = new ManualClock(1_000);
    function* stamps(): Generator<number> {
      for (let i = 0; i < 3; i++) yield clock.now();
    }
    const out: number[] = [];
    for await (const stamp of paced(stamps(), { rate: 10, clock })) out.push(stamp);
    expect(out).toEqual([1_000, 1_100, 1_200]);
  });

  it('catches up without sleeping when behind, and refuses a rate that is not positive', async () => {
    const clock = new ManualClock(0);
    const out: string[] = [];
    for await (const item of paced(['a', 'b', 'c'], { rate: 1, clock })) {
      out.push(item);
      clock.advance(10_000); // a slow consumer
    }
    expect(out).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(30_000);
    await expect(paced([], { rate: 0, clock }).next()).rejects.toThrow(RangeError);
  });

  it('gives the simulator its limit of messages, each dated by the clock', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const messages: string[] = [];
    for await (const m of simulatedMessages({
      simulator: new RsvpSimulator({ malformedShare: 0 }),
      clock,
      rate: 4,
      limit: 5,
    })) {
      messages.push(m);
    }
    expect(messages.map((m) => JSON.parse(m).mtime - Date.UTC(2026, 0, 1))).toEqual([0, 250, 500, 750, 1_000]);
  });
});
