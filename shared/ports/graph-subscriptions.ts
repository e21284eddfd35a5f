// The Graph change-notification subscription API, as the subscription keeper needs it. Implemented by
// shared/adapters/graph/subscriptions.ts (real Graph or the dev/ simulator through the same client).

export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  /** ISO 8601. */
  expirationDateTime: string;
}

export interface NewGraphSubscription {
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  clientState: string;
  expirationDateTime: Date;
}

export interface GraphSubscriptionsPort {
  /** POST /subscriptions. Graph runs the validation handshake against notificationUrl before answering. */
  create(request: NewGraphSubscription): Promise<GraphSubscription>;
  /** GET /subscriptions/{id}; null when Graph answers 404. */
  get(id: string): Promise<GraphSubscription | null>;
  /** GET /subscriptions (all pages): the subscriptions this app owns. */
  list(): Promise<GraphSubscription[]>;
  /** PATCH expirationDateTime; null when the subscription is gone (404). */
  renew(id: string, expirationDateTime: Date): Promise<GraphSubscription | null>;
  /** POST /subscriptions/{id}/reauthorize; false when the subscription is gone (404). */
  reauthorize(id: string): Promise<boolean>;
  /** DELETE; false when it was already gone. */
  remove(id: string): Promise<boolean>;
}
