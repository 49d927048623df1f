// One round at a time: a request during a round runs one more round after it, so a burst of wake-ups
// (NOTIFY, answers, the tick) costs at most one extra round.
import type { Logger } from "pino";
import { messageOf } from "#lib/adapters/db/commands.ts";

export interface Rounds {
  /** Runs a round now, or one more after the running one; resolves when the rounds are done. */
  schedule(): Promise<void>;
  /** Waits for the running round, then runs one more. */
  pump(): Promise<void>;
  /** No round starts from now on; resolves when the running one is done. */
  stop(): Promise<void>;
  readonly stopped: boolean;
}

export function serialRounds(round: () => Promise<void>, log: Logger): Rounds {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  function schedule(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await round();
        } catch (e) {
          log.error({ err: messageOf(e) }, "command round failed; retried on the next tick");
        }
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  }

  return {
    schedule,
    async pump() {
      await running;
      await schedule();
    },
    async stop() {
      stopped = true;
      await running;
    },
    get stopped() {
      return stopped;
    },
  };
}
