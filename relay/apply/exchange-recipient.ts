// The Exchange recipient attributes of a written-back Microsoft 365 group: what on-premises Exchange reads to
// treat the AD group as the cloud group mailbox (docs/relay.md "Exchange attributes", sources in
// docs/ad-connect.md). Every mail-typed written-back group is a Microsoft 365 group (the planner writes back
// no other mail-enabled cloud group), so the values follow from the AD group type alone.
import type { AdGroupType } from '../../shared/contracts/writeback-message.js';

/** Exchange's RecipientDisplayType: DistributionGroup (1) or SecurityDistributionGroup (0x40000009). */
const RECIPIENT_DISPLAY_TYPE: Record<AdGroupType, string | null> = {
  universalDistributionGroup: '1',
  universalMailEnabledSecurityGroup: '1073741833',
  universalSecurityGroup: null,
};

/** Exchange's RecipientTypeDetails.RemoteGroupMailbox (0x80000000000): a group mailbox that lives in Exchange
 *  Online, reached from on-premises through the hybrid send connector. */
const REMOTE_GROUP_MAILBOX = '8796093022208';

/**
 * The recipient attributes for a mail-typed group (none for a plain security group). msExchRequireAuthToSendTo
 * is FALSE, never AD Connect's constant TRUE: the group's own external-senders setting (`allowExternalSenders`)
 * can only be read with delegated Graph permissions, so on-premises Exchange does not judge the sender and
 * Exchange Online applies the group's setting when the message reaches the group mailbox.
 */
export function exchangeRecipientAttributes(adGroupType: AdGroupType): Map<string, string[]> {
  const displayType = RECIPIENT_DISPLAY_TYPE[adGroupType];
  if (displayType === null) return new Map();
  return new Map([
    ['msExchRecipientDisplayType', [displayType]],
    ['msExchRecipientTypeDetails', [REMOTE_GROUP_MAILBOX]],
    ['msExchRequireAuthToSendTo', ['FALSE']],
  ]);
}
