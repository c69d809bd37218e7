import { applicantRow, stampedRow, type ApplicantPii, type ApplicantRow, type ApplicantTokens } from '../pii/applicant-store.js';
import type { PiiKind, PiiVault } from '../pii/pii-vault.js';

/**
 * Test and bench fixtures for `applicants` rows: the tokens of a normalised applicant, a row as the decision path
 * writes it now (one record box), and a row in the layout written before migration 20261122002200 (one box per field,
 * `pii_enc` NULL), which nothing writes any more but existing stores still hold. Not part of the public surface.
 */

export function applicantTokens(vault: PiiVault, a: ApplicantPii): ApplicantTokens {
  return {
    idToken: vault.tokenize('idNumber', a.idNumber),
    phoneToken: vault.tokenize('phone', a.phone),
    bankCardToken: a.bankCard ? vault.tokenize('bankCard', a.bankCard) : null,
  };
}

/** A row as the decision path writes it. */
export function applicantRowFor(vault: PiiVault, a: ApplicantPii, now: string): ApplicantRow {
  return applicantRow(vault, applicantTokens(vault, a), a, now);
}

/** A row in the per-field layout, built from the same tokens (the record box is not made at all). */
export function legacyApplicantRow(vault: PiiVault, tokens: ApplicantTokens, a: ApplicantPii, now: string): ApplicantRow {
  const id = vault.encrypt('idNumber', a.idNumber);
  const box = (kind: PiiKind, value: string): Buffer => Buffer.from(vault.encrypt(kind, value).box);
  return stampedRow(
    tokens,
    id.keyId,
    {
      id_number_enc: Buffer.from(id.box),
      name_enc: box('name', a.name),
      phone_enc: box('phone', a.phone),
      bank_card_enc: a.bankCard ? box('bankCard', a.bankCard) : null,
      pii_enc: null,
    },
    now,
  );
}
