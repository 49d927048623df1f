// The ingest worker's start-up steps that need another service (the asset model, the Sparkplug
// mapping and sessions): tried until they succeed, or until the worker is stopped.
import pRetry from "p-retry";
import type { Logger } from "pino";

/**
 * Retries `fn` until it succeeds (back-off 0.5 s doubling to 10 s), or until the worker is stopped:
 * then the last error is thrown.
 */
export function retryUntil<T>(what: string, log: Logger, fn: () => Promise<T>, isStopped: () => boolean): Promise<T> {
  return pRetry(fn, {
    retries: Number.POSITIVE_INFINITY,
    factor: 2,
    minTimeout: 500,
    maxTimeout: 10_000,
    randomize: false,
    onFailedAttempt: ({ error, retryDelay }) => {
      if (isStopped()) throw error;
      log.warn({ err: error.message, retryInMs: retryDelay }, `${what} failed; retrying`);
    },
  });
}
