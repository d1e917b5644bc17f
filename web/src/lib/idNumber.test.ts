import { describe, expect, it } from 'vitest';
import { checkDigit, isMobile, isResidentId, maskMobile, residentIdProblem } from './idNumber';

describe('GB 11643 resident ID number', () => {
  it('computes the check digit, X included', () => {
    expect(checkDigit('11010519491231002')).toBe('X');
    expect(checkDigit('44030419900101001')).toMatch(/^[0-9X]$/);
  });

  it('accepts a valid number, lowercase x too', () => {
    expect(isResidentId('11010519491231002X')).toBe(true);
    expect(isResidentId('11010519491231002x')).toBe(true);
  });

  it('names what is wrong', () => {
    expect(residentIdProblem('11010519491231002')).toBe('length');
    expect(residentIdProblem('1101051949123100AX')).toBe('format');
    expect(residentIdProblem('110105194902300021')).toBe('birthdate');
    expect(residentIdProblem('110105194912310021')).toBe('checkdigit');
  });

  it('every wrong last digit fails the check', () => {
    const wrong = '0123456789X'.split('').filter((c) => c !== 'X');
    for (const c of wrong) expect(isResidentId(`11010519491231002${c}`)).toBe(false);
  });
});

describe('mainland mobile number', () => {
  it('takes 11 digits starting 13–19', () => {
    expect(isMobile('13800138000')).toBe(true);
    expect(isMobile('19912345678')).toBe(true);
    expect(isMobile('12800138000')).toBe(false);
    expect(isMobile('1380013800')).toBe(false);
    expect(isMobile('138001380001')).toBe(false);
  });

  it('masks the middle', () => {
    expect(maskMobile('13800138000')).toBe('138****8000');
  });
});
