import type { Migration } from 'kysely/migration';
import * as initialSchema from './2026-11-25T0330-initial-schema.ts';
import * as settingsAndNotices from './2026-11-25T0400-settings-and-notices.ts';
import * as syncProgress from './2026-11-25T0430-sync-progress.ts';
import * as recomputeRuns from './2026-11-25T1650-recompute-runs.ts';
import * as coach from './2026-11-25T1700-coach.ts';
import * as planning from './2026-11-25T1710-planning.ts';
import * as provenance from './2026-11-25T1720-provenance.ts';
import * as dataExports from './2026-11-25T1740-data-exports.ts';
import * as coachProposals from './2026-11-25T1800-coach-proposals.ts';
import * as timezoneChosen from './2026-11-25T1830-timezone-chosen.ts';
import * as jobQuarantine from './2026-12-01T1000-job-quarantine.ts';
import * as firstWeek from './2026-12-01T1200-first-week.ts';
import * as operatorConsole from './2026-12-01T1400-console.ts';
import * as runFtpThreshold from './2026-12-01T1600-run-ftp-threshold.ts';
import * as athleteMaxHrSeen from './2026-12-01T1610-athlete-max-hr-seen.ts';
import * as reanalyseStoredActivities from './2026-12-01T1620-reanalyse-stored-activities.ts';
import * as multisportLegs from './2026-12-01T1630-multisport-legs.ts';
import * as runFtpProposals from './2026-12-01T1650-run-ftp-proposals.ts';

/** Every migration, by sortable name. Listed explicitly so nothing depends on reading a folder at run time. */
export const migrations: Record<string, Migration> = {
  '2026-11-25T0330-initial-schema': initialSchema,
  '2026-11-25T0400-settings-and-notices': settingsAndNotices,
  '2026-11-25T0430-sync-progress': syncProgress,
  '2026-11-25T1650-recompute-runs': recomputeRuns,
  '2026-11-25T1700-coach': coach,
  '2026-11-25T1710-planning': planning,
  '2026-11-25T1720-provenance': provenance,
  '2026-11-25T1740-data-exports': dataExports,
  '2026-11-25T1800-coach-proposals': coachProposals,
  '2026-11-25T1830-timezone-chosen': timezoneChosen,
  '2026-12-01T1000-job-quarantine': jobQuarantine,
  '2026-12-01T1200-first-week': firstWeek,
  '2026-12-01T1400-console': operatorConsole,
  '2026-12-01T1600-run-ftp-threshold': runFtpThreshold,
  '2026-12-01T1610-athlete-max-hr-seen': athleteMaxHrSeen,
  '2026-12-01T1620-reanalyse-stored-activities': reanalyseStoredActivities,
  '2026-12-01T1630-multisport-legs': multisportLegs,
  '2026-12-01T1650-run-ftp-proposals': runFtpProposals,
};
