import type { Knex } from 'knex';
import type { MigrationList } from '../../common/db/index.js';

/**
 * Schema of the linkage stage, built with the knex schema builder only so the same migration runs on SQLite and
 * PostgreSQL. Append new dated migrations (20261122001200..20261122001299 belong to the device, linkage, velocity
 * and lists stages); never edit one that has been applied.
 */

/**
 * `application_links`: one row per decided application with the tokens that link applicants (device ID, phone token,
 * IP token) and the applicant's token. It is the durable source of both the link index (accounts per device/phone/IP,
 * clusters) and the velocity index (applications per applicant), which are rebuilt from it at start. Tokens only:
 * no raw identifier is ever stored. `at` (ISO text) is for people, `at_ms` for the window queries.
 */
const applicationLinks = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('application_links', (t) => {
      t.string('application_id', 64).primary();
      t.string('applicant_token', 128).notNullable();
      t.string('device_id', 64).notNullable();
      t.string('phone_token', 128).notNullable();
      t.string('ip_token', 128).notNullable();
      t.string('at', 32).notNullable();
      t.bigInteger('at_ms').notNullable();
      t.index(['applicant_token'], 'application_links_applicant');
      t.index(['device_id'], 'application_links_device');
      t.index(['phone_token'], 'application_links_phone');
      t.index(['ip_token'], 'application_links_ip');
      t.index(['at_ms'], 'application_links_at_ms');
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('application_links');
  },
};

/** The linkage (and velocity) migrations; the integrator adds them to the decision store's list. */
export const LINKAGE_MIGRATIONS: MigrationList = {
  '20261122001200_application_links': applicationLinks,
};
