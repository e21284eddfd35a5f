import { describe, expect, it } from 'vitest';
import { clientStateFingerprint, matchClientState } from '../../shared/security/client-state.js';

const current = 'current-secret-0123456789abcdef';
const previous = 'previous-secret-0123456789abcdef';

describe('matchClientState', () => {
  it('accepts the current secret', () => {
    expect(matchClientState(current, { current, previous })).toBe('current');
  });

  it('accepts the previous secret during rotation', () => {
    expect(matchClientState(previous, { current, previous })).toBe('previous');
  });

  it('refuses the previous secret once rotation is over', () => {
    expect(matchClientState(previous, { current })).toBe('none');
    expect(matchClientState(previous, { current, previous: '' })).toBe('none');
  });

  it('refuses near misses: prefix, longer, case, whitespace', () => {
    for (const forged of [current.slice(0, -1), `${current}x`, current.toUpperCase(), ` ${current}`, '']) {
      expect(matchClientState(forged, { current, previous })).toBe('none');
    }
  });

  it('refuses values that are not strings or are absurdly long', () => {
    for (const forged of [undefined, null, 42, { current }, [current], 'x'.repeat(5000)]) {
      expect(matchClientState(forged, { current, previous })).toBe('none');
    }
  });

  it('an empty previous secret never matches an empty clientState', () => {
    expect(matchClientState('', { current, previous: '' })).toBe('none');
  });
});

describe('clientStateFingerprint', () => {
  it('is stable, differs per secret and does not contain the secret', () => {
    expect(clientStateFingerprint(current)).toBe(clientStateFingerprint(current));
    expect(clientStateFingerprint(current)).not.toBe(clientStateFingerprint(previous));
    expect(clientStateFingerprint(current)).toMatch(/^[0-9a-f]{16}$/);
    expect(clientStateFingerprint(current)).not.toContain(current.slice(0, 6));
  });
});
