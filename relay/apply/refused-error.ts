// A writeback message the relay will not apply as sent (permanent, not worth a retry): the message ends
// with outcome 'failed', the code and text in its result, and is dead-lettered so an admin can replay it.

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
