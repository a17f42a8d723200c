/**
 * @module store/migrations
 * Every schema migration, in order. Listed explicitly (not read from a folder) so the set is
 * fixed at build time and the same on every dialect.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';
import * as callbacks from './002-callbacks.js';
import * as inbound from './003-inbound.js';
import * as optOuts from './004-opt-outs.js';
import * as clickLinks from './005-click-links.js';
import * as templates from './006-templates.js';
import * as webhookRejects from './007-webhook-rejects.js';
import * as deadCallbacks from './008-dead-callbacks.js';
import * as jobOutbox from './009-job-outbox.js';
import * as accounts from './010-accounts.js';
import * as messageEvents from './011-message-events.js';
import * as accountActivity from './012-account-activity.js';

export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-callbacks': callbacks,
  '003-inbound': inbound,
  '004-opt-outs': optOuts,
  '005-click-links': clickLinks,
  '006-templates': templates,
  '007-webhook-rejects': webhookRejects,
  '008-dead-callbacks': deadCallbacks,
  '009-job-outbox': jobOutbox,
  '010-accounts': accounts,
  '011-message-events': messageEvents,
  '012-account-activity': accountActivity,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
