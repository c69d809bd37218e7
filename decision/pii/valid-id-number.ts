/**
 * Test fixtures: valid identifiers made on demand, so tests (here, in the pipeline, in the fuzz test) never carry
 * real people's numbers and never hard-code a check digit by hand. Not for production paths.
 */
import { idNumberCheckChar, luhnValid } from './identifier-rules.js';

export interface IdNumberParts {
  /** 6-digit region code, not starting with 0. Default 110105 (Beijing, Chaoyang). */
  region?: string;
  /** YYYYMMDD. Default 19900307. */
  birth?: string;
  /** 3-digit sequence (its last digit is odd for men, even for women). Default 123. */
  sequence?: string;
}

/** A valid 18-character resident identity number: the parts given, and the matching MOD 11-2 check character. */
export function validIdNumber(parts: IdNumberParts = {}): string {
  const first17 = `${parts.region ?? '110105'}${parts.birth ?? '19900307'}${parts.sequence ?? '123'}`;
  return first17 + idNumberCheckChar(first17);
}

/** The n-th of a family of distinct valid ID numbers (n in 0..999999): handy for bulk rows. */
export function nthIdNumber(n: number): string {
  const sequence = String(n % 1000).padStart(3, '0');
  const day = 1 + (Math.floor(n / 1000) % 28);
  const year = 1950 + (Math.floor(n / 28000) % 50);
  return validIdNumber({ birth: `${year}01${String(day).padStart(2, '0')}`, sequence });
}

/** The same number with a wrong check character (one of the ten others). */
export function withWrongCheckChar(id: string): string {
  const right = id[17]!;
  const wrong = right === '0' ? '1' : '0';
  return id.slice(0, 17) + wrong;
}

/** A Luhn-valid card number: the prefix padded with a counter to `length - 1` digits, then the check digit. */
export function validBankCard(n = 0, prefix = '622202', length = 16): string {
  const body = (prefix + String(n).padStart(length - 1 - prefix.length, '0')).slice(0, length - 1);
  for (let d = 0; d <= 9; d++) {
    if (luhnValid(body + d)) return body + d;
  }
  throw new Error('unreachable: one Luhn digit always fits');
}

/** A valid mainland mobile number, distinct for each n in 0..99999999. */
export function validPhone(n = 0): string {
  return '139' + String(n).padStart(8, '0');
}
