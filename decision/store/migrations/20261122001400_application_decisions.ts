import type { Knex } from 'knex';

/**
 * The full decision record of an application: who (a token, never the ID number), what was asked, what the layers
 * found (flags, rule hits, internal reason codes), what was offered, and the rules context the rules saw (flags and
 * counts only), so a candidate rule set can be dry-run over past applications.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('applications', (t) => {
    t.string('applicant_token', 64).nullable();
    t.double('amount').nullable();
    t.integer('term_months').nullable();
    t.string('status', 16).nullable();
    t.text('reason_codes_json').nullable();
    t.text('rule_hits_json').nullable();
    t.text('flags_json').nullable();
    t.integer('rules_version').nullable();
    t.integer('policy_version').nullable();
    t.double('apr').nullable();
    t.double('credit_limit').nullable();
    t.text('rules_context_json').nullable();
    t.string('api_key_id', 64).nullable();
    t.bigInteger('audit_seq').nullable();
    t.index(['applicant_token'], 'applications_applicant_token');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('applications', (t) => {
    t.dropIndex(['applicant_token'], 'applications_applicant_token');
    for (const c of [
      'applicant_token', 'amount', 'term_months', 'status', 'reason_codes_json', 'rule_hits_json', 'flags_json', 'rules_version',
      'policy_version', 'apr', 'credit_limit', 'rules_context_json', 'api_key_id', 'audit_seq',
    ]) {
      t.dropColumn(c);
    }
  });
}
