import { describe, expect, it } from 'vitest';
import { countdown, formatDate, formatDateTime } from './dates';

// 2026-11-30 23:30 UTC is already 2026-12-01 07:30 in Shanghai.
const NOW = new Date('2026-11-30T23:30:00Z');

describe('countdowns in China Standard Time', () => {
  it('counts calendar days in Shanghai, not UTC', () => {
    expect(countdown('2026-12-01', NOW)).toMatchObject({ days: 0, dueSoon: true, overdue: false, text: '今天到期' });
    expect(countdown('2026-12-02', NOW)).toMatchObject({ days: 1, dueSoon: true, text: '明天到期' });
    expect(countdown('2026-12-06', NOW)).toMatchObject({ days: 5, dueSoon: false, text: '剩余 5 天' });
  });

  it('says how late a passed deadline is', () => {
    expect(countdown('2026-11-30', NOW)).toMatchObject({ overdue: true, text: '已逾期 1 天' });
    expect(countdown('2026-11-30T22:00:00Z', NOW)).toMatchObject({ overdue: true });
  });

  it('reads instants in Shanghai time', () => {
    expect(formatDateTime('2026-11-30T23:30:00Z')).toBe('2026-12-01 07:30');
    expect(formatDate('2026-11-30T23:30:00+00:00')).toBe('2026年12月1日');
    expect(formatDate(null)).toBe('—');
  });
});
