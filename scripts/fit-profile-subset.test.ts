import { describe, expect, it } from 'vitest';
import { fitMessages, fitTypes } from '../metrics/fit-profile.ts';
import { profileSubset } from './fit-profile-subset.ts';

describe('metrics/fit-profile.ts', () => {
  it("is what scripts/fit-profile-subset.ts makes of the installed @garmin/fitsdk's Profile", () => {
    // A failure after an SDK upgrade: run `npx tsx scripts/fit-profile-subset.ts` and review the diff.
    const { messages, types } = profileSubset();
    expect(fitMessages).toEqual(messages);
    expect(fitTypes).toEqual(types);
  });
});
