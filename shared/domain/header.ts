// The desired AD group header for a cloud group under the tenant's settings. Every cloud text is passed
// through adText (text.ts) here, once, so the header holds exactly what AD will store.
import type { AdGroupType, CloudGroup, GroupHeader } from './model.js';
import { adGroupTypeValue, groupAnchor, groupCn, groupSamAccountName } from './naming.js';
import type { TenantSettings } from './settings.js';
import { adText, clipUtf16 } from './text.js';

/** AD's rangeUpper for displayName and description. */
const MAX_DISPLAY_NAME = 256;
const MAX_DESCRIPTION = 1024;

const textOrNull = (v: string | null): string | null => (v === null ? null : adText(v));

export function desiredHeader(g: CloudGroup, adGroupType: AdGroupType, s: TenantSettings): GroupHeader {
  const name = textOrNull(g.displayName);
  const displayName = clipUtf16(name ?? '', MAX_DISPLAY_NAME);
  const description = clipUtf16(adText(g.description ?? '').trim(), MAX_DESCRIPTION);
  // Mail attributes only exist in AD when the schema is prepared for Exchange, and only a mail-enabled AD
  // group type (distribution, mail-enabled security) carries them.
  const mailTyped = adGroupType !== 'universalSecurityGroup';
  const mail =
    s.exchangeSchema && mailTyped && g.mailEnabled
      ? { mail: textOrNull(g.mail), mailNickname: textOrNull(g.mailNickname), proxyAddresses: g.proxyAddresses.map(adText).sort() }
      : null;
  return {
    anchor: groupAnchor(g.id),
    cn: groupCn(s.cnFormat, g.id, name),
    samAccountName: groupSamAccountName(g.id),
    // Graph requires a display name; should one ever be empty, the anchor keeps the attribute valid.
    displayName: displayName.length > 0 ? displayName : groupAnchor(g.id),
    description: description.length > 0 ? description : null,
    adGroupType,
    groupType: adGroupTypeValue(adGroupType),
    mail,
  };
}

export function sameHeader(a: GroupHeader | null, b: GroupHeader | null): boolean {
  if (a === null || b === null) return a === b;
  const sameMail =
    a.mail === null || b.mail === null
      ? a.mail === b.mail
      : a.mail.mail === b.mail.mail &&
        a.mail.mailNickname === b.mail.mailNickname &&
        a.mail.proxyAddresses.length === b.mail.proxyAddresses.length &&
        a.mail.proxyAddresses.every((p, i) => p === b.mail!.proxyAddresses[i]);
  return (
    a.anchor === b.anchor &&
    a.cn === b.cn &&
    a.samAccountName === b.samAccountName &&
    a.displayName === b.displayName &&
    a.description === b.description &&
    a.adGroupType === b.adGroupType &&
    a.groupType === b.groupType &&
    sameMail
  );
}
