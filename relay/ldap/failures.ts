// The relay's own failures, beside what ldapts throws: a message refused as sent, and no usable DC.
// errors.ts (which callers import them from) decides what each means for a message.

/**
 * A writeback message the relay will not apply as sent (permanent, not worth a retry): the message ends
 * with outcome 'failed', the code and text in its result, and is dead-lettered so an admin can replay it.
 */
export class RefusedError extends Error {
  constructor(
    /** Stable code for the result and the dead-letter reason, e.g. 'WritebackOuMissing'. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}

/**
 * No DC in the list could be used. For a message this is always transient (retried later: an admin fixes
 * the password or the DC comes back); at start-up a `permanent` one (bind refused, certificate not trusted)
 * stops the relay.
 */
export class DirectoryUnavailableError extends Error {
  constructor(
    readonly attempts: { url: string; error: string }[],
    readonly permanent: boolean,
  ) {
    super(
      `${permanent ? 'cannot bind to the domain controller' : 'no domain controller reachable'}: ` +
        attempts.map((a) => `${a.url}: ${a.error}`).join('; '),
    );
    this.name = 'DirectoryUnavailableError';
  }
}
