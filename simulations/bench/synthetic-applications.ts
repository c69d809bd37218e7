/**
 * Plausible loan applications for benchmarks and load tests: valid Chinese resident ID numbers (check digit
 * computed), mainland mobiles, Luhn-valid bank cards, credit_data features, a device per applicant. Seeded.
 */
import { createRng, type Rng } from '../../common/random.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function residentId(rng: Rng): string {
  const region = String(110101 + Math.floor(rng() * 500)).padStart(6, '0');
  const year = 1960 + Math.floor(rng() * 40);
  const month = 1 + Math.floor(rng() * 12);
  const day = 1 + Math.floor(rng() * 28);
  const seq = String(Math.floor(rng() * 1000)).padStart(3, '0');
  const body = `${region}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${seq}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i]!;
  return body + CHECK[sum % 11]!;
}

export function luhnCard(rng: Rng): string {
  const digits = [6, 2, 2, 2];
  while (digits.length < 15) digits.push(Math.floor(rng() * 10));
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = digits[14 - i]!;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  digits.push((10 - (sum % 10)) % 10);
  return digits.join('');
}

const HOME = ['owner', 'rent', 'parents', 'other', 'priv'];
const MARITAL = ['married', 'single', 'separated', 'widow', 'divorced'];
const JOB = ['fixed', 'freelance', 'partime', 'others'];

export function syntheticApplications(n: number, seed: number): Record<string, unknown>[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      applicant: {
        idNumber: residentId(rng),
        name: `Applicant ${i}`,
        phone: `13${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`,
        bankCard: luhnCard(rng),
      },
      features: {
        Seniority: Math.floor(rng() * 30),
        Home: pick(HOME),
        Time: pick([12, 24, 36, 48, 60]),
        Age: 20 + Math.floor(rng() * 45),
        Marital: pick(MARITAL),
        Records: rng() < 0.15 ? 'yes' : 'no',
        Job: pick(JOB),
        Expenses: 35 + Math.floor(rng() * 80),
        Income: 60 + Math.floor(rng() * 250),
        Assets: Math.floor(rng() * 10000),
        Debt: Math.floor(rng() * 2000),
        Amount: 300 + Math.floor(rng() * 1500),
        Price: 800 + Math.floor(rng() * 2000),
      },
      amount: 1000 + Math.floor(rng() * 9000),
      termMonths: pick([6, 12, 24, 36]),
      device: {
        model: pick(['Xiaomi 14', 'HUAWEI P60', 'OPPO Reno11', 'vivo X100', 'iPhone15,3']),
        os: pick(['Android 14', 'Android 13', 'iOS 17.4']),
        ip: `2001:db8:${Math.floor(rng() * 65536).toString(16)}:${Math.floor(rng() * 65536).toString(16)}::${(1 + Math.floor(rng() * 65534)).toString(16)}`, // documentation prefix: data only
        attributes: { screen: '1080x2400', locale: 'zh-CN', androidId: `a${i.toString(16).padStart(15, '0')}` },
        signals: { emulator: false, root: false, hook: false, proxy: false },
        behaviour: { formFillSeconds: 30 + Math.floor(rng() * 300), pasteEvents: Math.floor(rng() * 2), screenSwitches: Math.floor(rng() * 4) },
      },
      consent: true,
    });
  }
  return out;
}
