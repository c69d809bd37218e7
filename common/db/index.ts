export { openKnex, migrate, dialectOf } from './open-knex.js';
export type { DbConfig, Dialect, SqliteConfig, MigrationList, MigrationModule } from './open-knex.js';
