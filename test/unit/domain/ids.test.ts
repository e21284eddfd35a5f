// The id vocabulary: what counts as a GUID, and the one form ids are compared in.
import { describe, expect, it } from 'vitest';
import { isGuid, normaliseId, sameId } from '../../../shared/domain/ids.js';
import { groupAnchor, isGroupAnchor } from '../../../shared/domain/naming.js';

const ID = '3a5c3221-c465-48c0-95b8-e9305786a271';

describe('ids', () => {
  it('takes GUIDs in any case, without braces or other shapes', () => {
    expect(isGuid(ID)).toBe(true);
    expect(isGuid(ID.toUpperCase())).toBe(true);
    for (const bad of [`{${ID}}`, ID.replaceAll('-', ''), `${ID}0`, ID.slice(1), '-'.repeat(36), ` ${ID}`, `${ID}\n`, '']) {
      expect(isGuid(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('compares ids in lower case', () => {
    expect(normaliseId(ID.toUpperCase())).toBe(ID);
    expect(sameId(ID.toUpperCase(), ID)).toBe(true);
    expect(sameId(ID, ID.replace('3a5c', '3a5d'))).toBe(false);
  });

  it('recognises group anchors by their shape, in any case', () => {
    expect(isGroupAnchor(groupAnchor(ID))).toBe(true);
    expect(isGroupAnchor(`GROUP_${ID.toUpperCase()}`)).toBe(true);
    for (const bad of [ID, `Group_${ID.replaceAll('-', '')}`, `Group_${'-'.repeat(36)}`, `Group_${ID}x`, `xGroup_${ID}`, 'Group_']) {
      expect(isGroupAnchor(bad), bad).toBe(false);
    }
  });
});
