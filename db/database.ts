import type { ActivitiesTable, ActivityStreamsTable } from './tables/activities.ts';
import type { ActivityMetricsTable } from './tables/activity-metrics.ts';
import type { ActivitySourcesTable } from './tables/activity-sources.ts';
import type { AppSettingsTable } from './tables/app-settings.ts';
import type { AthleteThresholdsTable } from './tables/athlete-thresholds.ts';
import type { AthletesTable } from './tables/athletes.ts';
import type { CoachMessagesTable, CoachUsageTable } from './tables/coach.ts';
import type { CoachProposalsTable } from './tables/coach-proposals.ts';
import type { ConsoleLoginLinksTable, ConsoleSessionsTable } from './tables/console.ts';
import type { DailyLoadTable } from './tables/daily-load.ts';
import type { DataExportsTable } from './tables/data-exports.ts';
import type {
  ExportImportChunksTable,
  ExportImportEntriesTable,
  ExportImportsTable,
} from './tables/export-imports.ts';
import type { JobRunsTable } from './tables/job-runs.ts';
import type {
  MetricsReanalysisAthletesTable,
  MetricsReanalysisQueueTable,
} from './tables/metrics-reanalysis.ts';
import type { OauthStatesTable } from './tables/oauth-states.ts';
import type { PlannedWorkoutsTable, RaceGoalsTable } from './tables/planning.ts';
import type { RecomputeRunsTable } from './tables/recompute-runs.ts';
import type { StravaConnectionsTable } from './tables/strava-connections.ts';
import type { StravaRateLimitTable } from './tables/strava-rate-limit.ts';
import type { SyncRunItemsTable, SyncRunsTable } from './tables/sync-runs.ts';
import type { ThresholdProposalsTable } from './tables/threshold-proposals.ts';
import type { WebhookEventsTable } from './tables/webhook-events.ts';
import type { WorkoutMessagesTable } from './tables/workout-messages.ts';

/** The typed schema kysely checks every query against. */
export interface Database {
  app_settings: AppSettingsTable;
  athletes: AthletesTable;
  athlete_thresholds: AthleteThresholdsTable;
  strava_connections: StravaConnectionsTable;
  oauth_states: OauthStatesTable;
  webhook_events: WebhookEventsTable;
  activities: ActivitiesTable;
  activity_streams: ActivityStreamsTable;
  activity_metrics: ActivityMetricsTable;
  daily_load: DailyLoadTable;
  sync_runs: SyncRunsTable;
  sync_run_items: SyncRunItemsTable;
  strava_rate_limit: StravaRateLimitTable;
  activity_sources: ActivitySourcesTable;
  export_imports: ExportImportsTable;
  export_import_chunks: ExportImportChunksTable;
  export_import_entries: ExportImportEntriesTable;
  recompute_runs: RecomputeRunsTable;
  metrics_reanalysis_queue: MetricsReanalysisQueueTable;
  metrics_reanalysis_athletes: MetricsReanalysisAthletesTable;
  coach_messages: CoachMessagesTable;
  coach_usage: CoachUsageTable;
  coach_proposals: CoachProposalsTable;
  planned_workouts: PlannedWorkoutsTable;
  race_goals: RaceGoalsTable;
  data_exports: DataExportsTable;
  console_login_links: ConsoleLoginLinksTable;
  console_sessions: ConsoleSessionsTable;
  threshold_proposals: ThresholdProposalsTable;
  workout_messages: WorkoutMessagesTable;
  job_runs: JobRunsTable;
}
