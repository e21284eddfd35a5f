// Size limits: Service Bus's message limit (the queue port enforces it) and the budgets the planner keeps.

/** Service Bus Standard's message limit, for a whole message (the queue port enforces it on every send). */
export const SERVICE_BUS_MESSAGE_BYTES = 256 * 1024;

/** Budget for the JSON body of one writeback message. Service Bus counts the whole message (system
 *  properties, application properties, AMQP framing) against 256 KB; 64 KB of margin keeps every message
 *  well clear of the limit whatever the transport adds. */
export const MESSAGE_BODY_BUDGET_BYTES = 192 * 1024;

/** Skipped members named individually in a group's status (all are counted). */
export const SKIPPED_MEMBER_SAMPLE = 100;
