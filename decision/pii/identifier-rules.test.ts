import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../../common/errors.js';
import {
  idNumberCheckChar,
  luhnValid,
  normaliseApplicant,
  normaliseBankCard,
  normaliseIdNumber,
  normaliseName,
  normalisePhone,
} from './identifier-rules.js';
import { nthIdNumber, validBankCard, validIdNumber, validPhone, withWrongCheckChar } from './valid-id-number.js';

const NOW = new Date('2026-11-22T12:00:00Z');

const refused = (field: string, pattern: RegExp, secret?: string) => (err: unknown): boolean => {
  assert.ok(err instanceof FedriskError, String(err));
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.equal(err.details.field, field);
  assert.match(err.message, pattern);
  if (secret !== undefined && secret.length > 0) assert.ok(!err.message.includes(secret), 'the message must not echo the value');
  return true;
};

describe('resident ID numbers (GB 11643-1999)', () => {
  it('accepts published examples and generated numbers, uppercasing x', () => {
    // The standard's own example (GB 11643-1999, appendix), and the well-known X-terminated sample.
    assert.equal(normaliseIdNumber('11010519491231002X', NOW), '11010519491231002X');
    assert.equal(normaliseIdNumber('11010519491231002x', NOW), '11010519491231002X');
    const spaced = validIdNumber({ region: '440524', birth: '19800101', sequence: '001' });
    assert.equal(normaliseIdNumber(` ${spaced} `, NOW), spaced);
    for (let n = 0; n < 2000; n += 37) {
      const id = nthIdNumber(n);
      assert.equal(normaliseIdNumber(id, NOW), id);
    }
    assert.equal(idNumberCheckChar('11010519491231002'), 'X');
  });

  it('refuses a wrong check digit, naming the field and not echoing the value', () => {
    const id = validIdNumber();
    const wrong = withWrongCheckChar(id);
    assert.throws(() => normaliseIdNumber(wrong, NOW), refused('applicant.idNumber', /check digit does not match/, wrong));
    // Every other check character is wrong too.
    for (const c of '0123456789X') {
      if (c === id[17]) continue;
      assert.throws(() => normaliseIdNumber(id.slice(0, 17) + c, NOW), refused('applicant.idNumber', /check digit/));
    }
    // A single-digit typo in the body is caught by the check digit.
    const typo = id.slice(0, 15) + String((Number(id[15]) + 1) % 10) + id.slice(16);
    assert.throws(() => normaliseIdNumber(typo, NOW), refused('applicant.idNumber', /check digit/));
  });

  it('refuses bad birth dates: impossible, future, before 1900', () => {
    const at = (birth: string) => {
      const first17 = `110105${birth}123`;
      return first17 + idNumberCheckChar(first17);
    };
    assert.throws(() => normaliseIdNumber(at('19900230'), NOW), refused('applicant.idNumber', /not a real date/));
    assert.throws(() => normaliseIdNumber(at('19901301'), NOW), refused('applicant.idNumber', /not a real date/));
    assert.throws(() => normaliseIdNumber(at('19900000'), NOW), refused('applicant.idNumber', /not a real date/));
    assert.throws(() => normaliseIdNumber(at('21000101'), NOW), refused('applicant.idNumber', /in the future/));
    assert.throws(() => normaliseIdNumber(at('20261123'), NOW), refused('applicant.idNumber', /in the future/));
    assert.equal(normaliseIdNumber(at('20261122'), NOW), at('20261122'));
    assert.equal(normaliseIdNumber(at('20000229'), NOW), at('20000229'));
    assert.throws(() => normaliseIdNumber(at('19000229'), NOW), refused('applicant.idNumber', /not a real date/));
    assert.throws(() => normaliseIdNumber(at('18991231'), NOW), refused('applicant.idNumber', /before 1900/));
    assert.equal(normaliseIdNumber(at('19000101'), NOW), at('19000101'));
  });

  it('refuses wrong lengths, letters, a 0 region and non-strings', () => {
    const id = validIdNumber();
    assert.throws(() => normaliseIdNumber(id.slice(0, 17), NOW), refused('applicant.idNumber', /18 characters.*got 17/));
    assert.throws(() => normaliseIdNumber(id + '1', NOW), refused('applicant.idNumber', /got 19/));
    assert.throws(() => normaliseIdNumber('110105199003071', NOW), refused('applicant.idNumber', /got 15/));
    assert.throws(() => normaliseIdNumber('', NOW), refused('applicant.idNumber', /got 0/));
    assert.throws(() => normaliseIdNumber('11010519900307A23X', NOW), refused('applicant.idNumber', /17 digits followed by a digit or X/));
    assert.throws(() => normaliseIdNumber('X10105199003071230', NOW), refused('applicant.idNumber', /17 digits/));
    assert.throws(() => normaliseIdNumber(id.slice(0, 17) + 'Y', NOW), refused('applicant.idNumber', /17 digits/));
    assert.throws(() => normaliseIdNumber('１１０１０５１９９００３０７１２３４', NOW), refused('applicant.idNumber', /17 digits/));
    assert.throws(() => normaliseIdNumber(validIdNumber({ region: '010105' }), NOW), refused('applicant.idNumber', /region code/));
    assert.throws(() => normaliseIdNumber(110105199003071234, NOW), refused('applicant.idNumber', /must be a string/));
    assert.throws(() => normaliseIdNumber(null, NOW), refused('applicant.idNumber', /must be a string/));
  });
});

describe('phones, bank cards and names', () => {
  it('normalises mainland mobiles with +86 / 0086, spaces and dashes', () => {
    for (const raw of ['13912345678', '+86 139 1234 5678', '0086-139-1234-5678', '+8613912345678', ' 139-1234-5678 ']) {
      assert.equal(normalisePhone(raw), '13912345678', raw);
    }
    assert.equal(normalisePhone(validPhone(42)), '13900000042');
    assert.throws(() => normalisePhone('12912345678'), refused('applicant.phone', /starts with 13-19/));
    assert.throws(() => normalisePhone('1391234567'), refused('applicant.phone', /11 digits, got 10/));
    assert.throws(() => normalisePhone('139123456789'), refused('applicant.phone', /got 12/));
    assert.throws(() => normalisePhone('86 13912345678'), refused('applicant.phone', /got 13/));
    assert.throws(() => normalisePhone('1391234567a'), refused('applicant.phone', /must be digits/));
    assert.throws(() => normalisePhone('(139)12345678'), refused('applicant.phone', /must be digits/));
    assert.throws(() => normalisePhone(13912345678), refused('applicant.phone', /must be a string/));
  });

  it('checks bank cards with Luhn and 12-19 digits', () => {
    assert.ok(luhnValid('4111111111111111'));
    assert.ok(luhnValid('79927398713'));
    assert.ok(!luhnValid('79927398710'));
    assert.equal(normaliseBankCard(validBankCard(7, '622202', 19)).length, 19);
    assert.equal(normaliseBankCard('4111 1111 1111 1111'), '4111111111111111');
    const card = validBankCard(1234);
    assert.equal(normaliseBankCard(card.replace(/(\d{4})/g, '$1 ')), card);
    const wrong = card.slice(0, -1) + String((Number(card.at(-1)) + 1) % 10);
    assert.throws(() => normaliseBankCard(wrong), refused('applicant.bankCard', /Luhn/, wrong));
    assert.throws(() => normaliseBankCard(validBankCard(1, '6222', 11)), refused('applicant.bankCard', /12-19 digits, got 11/));
    assert.throws(() => normaliseBankCard('4111-1111-1111-1111'), refused('applicant.bankCard', /must be digits/));
    assert.throws(() => normaliseBankCard('41111111111111111111'), refused('applicant.bankCard', /got 20/));
    assert.equal(normaliseBankCard(validBankCard(3, '622202', 12)).length, 12);
  });

  it('trims names, keeps CJK, counts code points and refuses control characters', () => {
    assert.equal(normaliseName('  张三  '), '张三');
    assert.equal(normaliseName('Ｊｏｈｎ Smith'), 'Ｊｏｈｎ Smith');
    assert.equal(normaliseName('e\u0301'), '\u00e9', 'NFC');
    assert.equal(normaliseName('𠮷'.repeat(64)).length, 128);
    assert.throws(() => normaliseName('𠮷'.repeat(65)), refused('applicant.name', /at most 64 characters, got 65/));
    assert.throws(() => normaliseName('   '), refused('applicant.name', /must not be empty/));
    assert.throws(() => normaliseName('张\n三'), refused('applicant.name', /control characters/));
    assert.throws(() => normaliseName('a\u0000b'), refused('applicant.name', /control characters/));
    assert.throws(() => normaliseName('a\u2028b'), refused('applicant.name', /control characters/));
    assert.throws(() => normaliseName(['x']), refused('applicant.name', /must be a string/));
  });

  it('normalises a whole applicant, the bank card optional', () => {
    const id = validIdNumber().toLowerCase();
    assert.deepEqual(normaliseApplicant({ idNumber: id, name: ' 李四 ', phone: '+86 139-0000-0001' }, NOW), {
      idNumber: id.toUpperCase(),
      name: '李四',
      phone: '13900000001',
      bankCard: null,
    });
    assert.equal(normaliseApplicant({ idNumber: id, name: 'x', phone: validPhone(), bankCard: '' }, NOW).bankCard, null);
    assert.throws(() => normaliseApplicant({ idNumber: id, name: 'x', phone: validPhone(), bankCard: '1234' }, NOW), refused('applicant.bankCard', /12-19/));
  });
});
