import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareWithDevice } from '../metrics/device-parity.ts';
import { FitNotActivityError, fitToLegs } from '../metrics/fit.ts';

const dir = fileURLToPath(new URL('../test/fixtures/fit/', import.meta.url));
for (const name of readdirSync(dir)
  .filter((f) => f.endsWith('.fit'))
  .sort()) {
  let legs;
  try {
    legs = fitToLegs(readFileSync(`${dir}${name}`));
  } catch (error) {
    if (error instanceof FitNotActivityError) continue;
    throw error;
  }
  legs.forEach((leg, i) => {
    for (const c of compareWithDevice(leg))
      console.log(
        name,
        i,
        leg.sport,
        c.metric,
        c.device,
        c.ours?.toFixed(2),
        c.difference?.toFixed(4),
        c.within ? 'ok' : 'FAIL',
      );
  });
}
