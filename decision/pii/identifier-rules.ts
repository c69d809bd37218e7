/**
 * Normalisation and validation of the applicant's identifiers before they are tokenised or encrypted. Two spellings
 * of the same identifier must give one token (a lowercase `x` check character, a phone with `+86` and dashes), and a
 * malformed identifier must be refused at the door with the field it concerns, never stored.
 *
 * Error messages say what is wrong and never repeat the submitted value: they reach logs and HTTP answers, and the
 * value is PII (DESIGN threat model 6: logs never carry PII).
 */
import { FedriskError } from '../../common/errors.js';

export const ID_NUMBER_FIELD = 'applicant.idNumber';
export const PHONE_FIELD = 'applicant.phone';
export const BANK_CARD_FIELD = 'applicant.bankCard';
export const NAME_FIELD = 'applicant.name';

/** ISO 7064 MOD 11-2 weights of the first 17 digits (2^(17-i) mod 11), per GB 11643-1999. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for each value of the weighted sum mod 11. */
const ID_CHECK_CHARS = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'] as const;
/** Mainland China has one time zone and no DST: "today" for a birth date is UTC+8. */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const NAME_MAX_CHARS = 64;

function bad(field: string, message: string): FedriskError {
  return new FedriskError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

function requireString(raw: unknown, field: string): string {
  if (typeof raw !== 'string') throw bad(field, 'must be a string');
  return raw;
}

/**
 * The check character of a resident identity number from its first 17 digits (ISO 7064 MOD 11-2). Exported for
 * test fixtures that must make valid numbers; callers validating input use {@link normaliseIdNumber}.
 */
export function idNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new FedriskError('INVALID_ARGUMENT', 'the check character needs exactly 17 digits', { field: ID_NUMBER_FIELD });
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11]!;
}

/**
 * A Chinese resident identity number (GB 11643-1999), normalised to 18 characters with an uppercase `X`. Checks, in
 * order: length, characters (17 digits then a digit or X), region code (first 6 digits, not starting with 0), birth
 * date (positions 7-14: a real calendar date from 1900-01-01 up to today in China), and the check character.
 * Surrounding whitespace is ignored. `now` is injectable so tests are not tied to the calendar.
 */
export function normaliseIdNumber(raw: unknown, now: Date = new Date()): string {
  const id = requireString(raw, ID_NUMBER_FIELD).trim().toUpperCase();
  if (id.length !== 18) throw bad(ID_NUMBER_FIELD, `must be 18 characters (17 digits and a check character), got ${id.length}`);
  if (!/^\d{17}[\dX]$/.test(id)) throw bad(ID_NUMBER_FIELD, 'must be 17 digits followed by a digit or X');
  if (id[0] === '0') throw bad(ID_NUMBER_FIELD, 'region code (first 6 digits) cannot start with 0');
  const birth = id.slice(6, 14);
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  if (!isCalendarDate(y, m, d)) throw bad(ID_NUMBER_FIELD, 'birth date (digits 7-14) is not a real date');
  if (y < 1900) throw bad(ID_NUMBER_FIELD, 'birth date (digits 7-14) is before 1900');
  const today = new Date(now.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
  if (birth > today) throw bad(ID_NUMBER_FIELD, 'birth date (digits 7-14) is in the future');
  if (idNumberCheckChar(id.slice(0, 17)) !== id[17]) throw bad(ID_NUMBER_FIELD, 'check digit does not match');
  return id;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * A mainland mobile number, normalised to its 11 digits (`1[3-9]` then 9 digits). Accepts an optional `+86` or
 * `0086` country prefix and spaces or dashes anywhere, so `+86 139-1234-5678` and `13912345678` tokenise alike.
 */
export function normalisePhone(raw: unknown): string {
  let p = requireString(raw, PHONE_FIELD).replace(/[\s-]/g, '');
  if (p.startsWith('+86')) p = p.slice(3);
  else if (p.startsWith('0086')) p = p.slice(4);
  if (!/^\d+$/.test(p)) throw bad(PHONE_FIELD, 'must be digits, optionally with a +86 or 0086 prefix, spaces and dashes');
  if (p.length !== 11) throw bad(PHONE_FIELD, `a mainland mobile number has 11 digits, got ${p.length}`);
  if (!/^1[3-9]/.test(p)) throw bad(PHONE_FIELD, 'a mainland mobile number starts with 13-19');
  return p;
}

/** Luhn (mod 10) checksum over a digit string, as bank card numbers carry. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let v = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 === 0;
}

/** A bank card number: 12-19 digits once spaces are removed, Luhn-valid. Normalised to the bare digits. */
export function normaliseBankCard(raw: unknown): string {
  const c = requireString(raw, BANK_CARD_FIELD).replace(/\s/g, '');
  if (!/^\d+$/.test(c)) throw bad(BANK_CARD_FIELD, 'must be digits (spaces allowed)');
  if (c.length < 12 || c.length > 19) throw bad(BANK_CARD_FIELD, `must be 12-19 digits, got ${c.length}`);
  if (!luhnValid(c)) throw bad(BANK_CARD_FIELD, 'check digit does not match (Luhn)');
  return c;
}

/**
 * A person's name: trimmed, Unicode NFC (so the same name typed on two keyboards encrypts and compares alike),
 * 1-64 characters (code points, so a Chinese name counts its characters), no control or line-separator characters.
 */
export function normaliseName(raw: unknown): string {
  const n = requireString(raw, NAME_FIELD).trim().normalize('NFC');
  const chars = [...n].length;
  if (chars === 0) throw bad(NAME_FIELD, 'must not be empty');
  if (chars > NAME_MAX_CHARS) throw bad(NAME_FIELD, `must be at most ${NAME_MAX_CHARS} characters, got ${chars}`);
  if (/[\p{Cc}\u2028\u2029]/u.test(n)) throw bad(NAME_FIELD, 'must not contain control characters');
  return n;
}

/** The applicant's identifiers, normalised; the first invalid one throws with its field. */
export interface NormalisedApplicant {
  idNumber: string;
  name: string;
  phone: string;
  bankCard: string | null;
}

/**
 * Normalises every identifier of an applicant at once, so the pipeline has one call between validation and
 * tokenisation. An absent or empty bank card is `null` (it is optional in the API).
 */
export function normaliseApplicant(
  applicant: { idNumber: unknown; name: unknown; phone: unknown; bankCard?: unknown },
  now: Date = new Date(),
): NormalisedApplicant {
  const card = applicant.bankCard;
  return {
    idNumber: normaliseIdNumber(applicant.idNumber, now),
    name: normaliseName(applicant.name),
    phone: normalisePhone(applicant.phone),
    bankCard: card === undefined || card === null || card === '' ? null : normaliseBankCard(card),
  };
}
