// The sign-in throttling rule. Pure: the store (lib/features/auth/throttle.ts) counts, this decides.
//
// Every attempt is counted BEFORE the password is checked, in one atomic step, so N parallel guesses
// get at most `limit` password checks between them. Counters live for one fixed window from their
// first attempt (then they expire), so no lock lasts longer than WINDOW_S after the attempts stop.
//
// Three counters per attempt:
// - address        100 per window: one source guessing many names (an address may be a plant's NAT);
// - user@address    10 per window: one source guessing one name;
// - user            30 per window, from addresses where the user has NOT signed in successfully in the
//                   last 30 days: a botnet guessing one name from many addresses.
// A correct password takes its attempt back from the address and user counters (a plant's NAT where
// everyone signs in at shift start is not throttled by its successes), clears user@address and makes
// the address known for that user for 30 days.
// So strangers can lock a name out only from new addresses, and only while they keep guessing: from an
// address where the user signed in before, only the user@address counter (fed by that address alone)
// and the address counter apply. (A stranger behind the same NAT as the user shares its counters.)

export const WINDOW_S = 15 * 60;
export const KNOWN_ADDRESS_S = 30 * 86_400;
export const LIMITS = { address: 100, userAtAddress: 10, user: 30 } as const;
export type CounterKind = keyof typeof LIMITS;

/** Which counters an attempt feeds; `known`: the user signed in successfully from this address before. */
export function countersFor(o: { hasAddress: boolean; known: boolean }): CounterKind[] {
  if (!o.hasAddress) return ["userAtAddress", "user"];
  return o.known ? ["address", "userAtAddress"] : ["address", "userAtAddress", "user"];
}

export type Verdict = { allowed: true } | { allowed: false; counter: CounterKind; retryAfterS: number };

/** The counts include this attempt; `ttlS` is what is left of each counter's window. */
export function verdict(counts: Partial<Record<CounterKind, { count: number; ttlS: number }>>, limits: Record<CounterKind, number> = LIMITS): Verdict {
  for (const kind of ["userAtAddress", "user", "address"] as const) {
    const c = counts[kind];
    if (c && c.count > limits[kind]) return { allowed: false, counter: kind, retryAfterS: Math.max(1, c.ttlS) };
  }
  return { allowed: true };
}

/** User names compare case-insensitively in counters (accounts are lower-case; "Admin" is the same target). */
export const throttleUserKey = (username: string) => username.trim().toLowerCase().slice(0, 100);
