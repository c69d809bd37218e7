export { openKnex, migrate } from './open-knex.js';
export type { DbConfig, SqliteConfig, MigrationList, MigrationModule } from './open-knex.js';
