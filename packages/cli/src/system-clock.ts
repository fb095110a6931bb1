import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@rsvp/core';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
};
