import type { Db } from '../../db/connect.ts';
import { deleteSetting, getSetting, putSetting } from '../../db/queries/app-settings.ts';
import type { StravaClient } from '../strava-client.ts';
import { subscriptionSettingKey } from './webhook-routes.ts';

/** The application's one Strava push subscription: create, show, delete; its id is kept for checking events. */
export function subscriptionService(deps: {
  db: Db;
  client: StravaClient;
  callbackUrl: string;
  verifyToken: string;
}) {
  return {
    callbackUrl: deps.callbackUrl,
    create: async () => {
      const existing = await deps.client.subscriptions.view();
      if (existing.length > 0) {
        throw new Error(
          `a subscription already exists (id ${existing[0]!.id}); delete it first (Strava allows one)`,
        );
      }
      // Strava validates by calling the callback at once, so the web service must be reachable now.
      const created = await deps.client.subscriptions.create(deps.callbackUrl, deps.verifyToken);
      await putSetting(deps.db, subscriptionSettingKey, created.id);
      return created;
    },
    show: async () => {
      const existing = await deps.client.subscriptions.view();
      if (existing[0]) await putSetting(deps.db, subscriptionSettingKey, existing[0].id);
      return {
        strava: existing,
        stored: (await getSetting<number>(deps.db, subscriptionSettingKey)) ?? null,
      };
    },
    remove: async () => {
      const existing = await deps.client.subscriptions.view();
      for (const subscription of existing) await deps.client.subscriptions.remove(subscription.id);
      await deleteSetting(deps.db, subscriptionSettingKey);
      return existing.map((s) => s.id);
    },
  };
}

/** The callback URL Strava posts events to: the public URL with the secret path segment. */
export function webhookCallbackUrl(publicUrl: string, secret: string): string {
  return `${publicUrl}/strava/webhook/${secret}`;
}
