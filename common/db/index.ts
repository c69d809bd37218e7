export { openKnex, migrate } from './open-knex.js';
export type { DbConfig, MigrationList, MigrationModule } from './open-knex.js';
