/** Checks of what a person types: the resident ID number (GB 11643-1999) and a mainland mobile number. */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CODES = '10X98765432';

/** The check digit (0–9 or X) of the first 17 digits of a resident ID number. */
export function checkDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('17 digits expected');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CODES[sum % 11] ?? '';
}

export type IdProblem = 'length' | 'format' | 'birthdate' | 'checkdigit';

/** What is wrong with a resident ID number, or null when it is valid. A lowercase x counts as X. */
export function residentIdProblem(value: string): IdProblem | null {
  const id = value.trim().toUpperCase();
  if (id.length !== 18) return 'length';
  if (!/^\d{17}[\dX]$/.test(id)) return 'format';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const born = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) {
    return 'birthdate';
  }
  if (checkDigit(id.slice(0, 17)) !== id[17]) return 'checkdigit';
  return null;
}

export const ID_PROBLEM_MESSAGES: Record<IdProblem, string> = {
  length: '身份证号码应为 18 位',
  format: '身份证号码前 17 位应为数字，最后一位为数字或 X',
  birthdate: '身份证号码中的出生日期不正确',
  checkdigit: '身份证号码校验位不正确，请核对后重新输入',
};

export function isResidentId(value: string): boolean {
  return residentIdProblem(value) === null;
}

/** An 11-digit mainland mobile number (starts with 1, second digit 3–9). */
export function isMobile(value: string): boolean {
  return /^1[3-9]\d{9}$/.test(value.trim());
}

/** A number shown with the middle hidden, e.g. 138****8000. */
export function maskMobile(value: string): string {
  return value.length === 11 ? `${value.slice(0, 3)}****${value.slice(7)}` : value;
}
