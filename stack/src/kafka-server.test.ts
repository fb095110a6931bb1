import { describe, expect, it } from 'vitest';
import { newClusterId } from './kafka-server.js';

describe('newClusterId', () => {
  it("makes ids kafka-storage takes as a value: 22 base64url characters, never a leading '-'", () => {
    // About one random id in 64 starts with '-'; 5,000 without the guard would all but surely show one.
    const ids = Array.from({ length: 5_000 }, newClusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
