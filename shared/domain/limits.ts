// Size limits: Service Bus's message limit (the queue port enforces it) and the budgets the planner keeps.

/** Service Bus Standard's message limit, for a whole message (the queue port enforces it on every send). */
export const SERVICE_BUS_MESSAGE_BYTES = 256 * 1024;

/** Budget for the JSON body of one writeback message. Service Bus counts the whole message (system
 *  properties, application properties, AMQP framing) against 256 KB; 64 KB of margin keeps every message
 *  well clear of the limit whatever the transport adds. */
export const MESSAGE_BODY_BUDGET_BYTES = 192 * 1024;

/** Member changes of one group kept from one delta round. Beyond it they are let go and the group is planned
 *  from its complete member list (a new 1,000,000-member group's delta lists every member: ~150 MiB as a map,
 *  and a complete read is what a new group gets anyway). 20,000 changes resolved by id cost ~67 `$batch`
 *  calls, the complete list of a 20,000-member group 21. */
export const MAX_DELTA_MEMBER_CHANGES = 20_000;

/** Skipped members named individually in a group's status (all are counted). */
export const SKIPPED_MEMBER_SAMPLE = 100;
