// The domain's message types mirror shared/contracts (the domain may not import contracts). Type equality is
// checked at compile time (the test command type-checks test/), and sample messages parse at run time.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as C from '../../../shared/contracts/writeback-message.js';
import { writebackMessageSchema } from '../../../shared/contracts/writeback-message.js';
import type * as D from '../../../shared/domain/model.js';

describe('domain types match the wire contracts', () => {
  it('has identical message, header and member reference types', () => {
    expectTypeOf<D.MemberRef>().toEqualTypeOf<C.MemberRef>();
    expectTypeOf<D.GroupHeader>().toEqualTypeOf<C.GroupHeader>();
    expectTypeOf<D.AdGroupType>().toEqualTypeOf<C.AdGroupType>();
    expectTypeOf<D.DeleteReason>().toEqualTypeOf<C.DeleteReason>();
    expectTypeOf<D.WritebackMessage>().toEqualTypeOf<C.WritebackMessage>();
  });

  it('a domain delete message parses', () => {
    const m: D.WritebackMessage = {
      v: 1,
      tenantId: '11111111-1111-4111-8111-111111111111',
      groupId: '22222222-2222-4222-8222-222222222222',
      seq: 3,
      kind: 'delete',
      anchor: 'Group_22222222-2222-4222-8222-222222222222',
      reason: 'outOfScope',
    };
    expect(writebackMessageSchema.parse(m)).toEqual(m);
  });
});
