// Unit tests for the per-key token bucket, driven by a hand-set clock.
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/core/ports.js";
import { createRateLimiter } from "../../src/service/rate-limiter.js";

function manualClock(start = Date.UTC(2025, 5, 11, 12)): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
  };
}

describe("createRateLimiter", () => {
  it("allows a burst of `capacity` requests, then refuses with the wait until the next token", () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ capacity: 3, refillPerMinute: 6, clock });
    expect(limiter.take("alice")).toEqual({ allowed: true, remaining: 2 });
    expect(limiter.take("alice")).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take("alice")).toEqual({ allowed: true, remaining: 0 });
    // 6 per minute: one token every 10 seconds.
    expect(limiter.take("alice")).toEqual({ allowed: false, retryAfterMs: 10_000 });
    clock.advance(4_000);
    expect(limiter.take("alice")).toEqual({ allowed: false, retryAfterMs: 6_000 });
  });

  it("refills continuously and never above capacity", () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ capacity: 2, refillPerMinute: 2, clock });
    limiter.take("bob");
    limiter.take("bob");
    clock.advance(30_000);
    expect(limiter.take("bob")).toEqual({ allowed: true, remaining: 0 });
    clock.advance(60 * 60_000);
    expect(limiter.take("bob")).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take("bob")).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take("bob").allowed).toBe(false);
  });

  it("keeps a separate bucket per key", () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerMinute: 1, clock: manualClock() });
    expect(limiter.take("alice").allowed).toBe(true);
    expect(limiter.take("alice").allowed).toBe(false);
    expect(limiter.take("bob").allowed).toBe(true);
  });

  it("gives no extra tokens when the clock goes backwards", () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ capacity: 1, refillPerMinute: 1, clock });
    limiter.take("carol");
    clock.advance(-3_600_000);
    expect(limiter.take("carol").allowed).toBe(false);
  });

  it("forgets only full buckets when it tracks too many keys", () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ capacity: 1, refillPerMinute: 1, clock, maxKeys: 2 });
    limiter.take("a");
    clock.advance(60_000); // "a" is full again and may be forgotten
    limiter.take("b");
    limiter.take("c"); // prunes "a" but must keep the empty "b"
    expect(limiter.take("b").allowed).toBe(false);
    expect(limiter.take("a").allowed).toBe(true);
  });

  it("rejects a non-positive capacity or rate", () => {
    expect(() => createRateLimiter({ capacity: 0, refillPerMinute: 1, clock: manualClock() })).toThrow(
      RangeError,
    );
  });
});
