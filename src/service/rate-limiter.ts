/**
 * A per-key token bucket, used by the chat adapters to limit how many questions each user may ask.
 * Pure apart from the injected `Clock`, so tests drive time by hand.
 */
import type { Clock } from "../core/ports.js";

export interface RateLimiterOptions {
  /** Most requests a key may make in a burst (the bucket size). */
  readonly capacity: number;
  /** Tokens added back per minute, continuously (not in steps). */
  readonly refillPerMinute: number;
  readonly clock: Clock;
  /**
   * Above this many tracked keys, buckets that have refilled completely are forgotten
   * (they behave exactly like new ones), so memory stays bounded on a busy bot.
   */
  readonly maxKeys?: number;
}

export type RateDecision =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterMs: number };

export interface RateLimiter {
  /** Spends one token for `key` if it has one; otherwise says how long until it will. */
  take(key: string): RateDecision;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Creates a token-bucket limiter. Each key starts full (`capacity` tokens) and regains
 * `refillPerMinute` tokens per minute, never more than `capacity`. A clock that goes backwards is
 * treated as no time passing, so a skewed clock cannot hand out extra tokens.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { capacity, refillPerMinute, clock } = options;
  if (!(capacity > 0) || !(refillPerMinute > 0)) {
    throw new RangeError("createRateLimiter: capacity and refillPerMinute must be positive");
  }
  const maxKeys = options.maxKeys ?? 10_000;
  const perMs = refillPerMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, now: number): void => {
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * perMs);
    bucket.updatedAt = Math.max(bucket.updatedAt, now);
  };

  const prune = (now: number): void => {
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= capacity) buckets.delete(key);
    }
  };

  return {
    take(key) {
      const now = clock.now().getTime();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= maxKeys) prune(now);
        bucket = { tokens: capacity, updatedAt: now };
        buckets.set(key, bucket);
      } else {
        refill(bucket, now);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, remaining: Math.floor(bucket.tokens) };
      }
      return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs) };
    },
  };
}
