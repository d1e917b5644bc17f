import { describe, expect, it } from 'vitest';
import { BOM, toCsv } from './csv';
import { maskName, maskPhone, scrubText } from './mask';

describe('toCsv', () => {
  it('starts with a BOM, quotes what must be quoted and defuses formulas', () => {
    const text = toCsv([{ a: '东莞, "市"', b: 3 }, { a: '=1+1', b: null }], [
      { header: '办件', value: (r) => r.a },
      { header: '数量', value: (r) => r.b },
    ]);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual(['办件,数量', '"东莞, ""市""",3', "'=1+1,", '']);
  });
});

describe('masks', () => {
  it('masks names, phones and numbers in free text', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(scrubText('电话13800138000，证件440305199001011234')).toBe('电话138****8000，证件4403**********1234');
  });
});
