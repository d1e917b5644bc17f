/** Dates and instants as people in the Greater Bay Area read them: China Standard Time (Asia/Shanghai). */
import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');

export const TIME_ZONE = 'Asia/Shanghai';

export function inShanghai(value: string | number | Date | Dayjs): Dayjs {
  return dayjs(value).tz(TIME_ZONE);
}

/** A date of the API: either an instant (UTC, with offset) or a plain CST date (YYYY-MM-DD). */
function parse(value: string): Dayjs {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayjs.tz(value, TIME_ZONE) : inShanghai(value);
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = parse(value);
  return d.isValid() ? d.format('YYYY年M月D日') : value;
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = parse(value);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm') : value;
}

export interface Countdown {
  /** Whole CST calendar days from today to the deadline's day (negative when past). */
  days: number;
  overdue: boolean;
  /** Today or tomorrow: the deadline is near. */
  dueSoon: boolean;
  text: string;
}

/** How far a deadline is, counted in China Standard Time calendar days. */
export function countdown(deadline: string, now: Date = new Date()): Countdown {
  const due = parse(deadline);
  const today = inShanghai(now).startOf('day');
  const dueDay = due.tz(TIME_ZONE).startOf('day');
  const days = Math.round(dueDay.diff(today, 'hour') / 24);
  const past = /^\d{4}-\d{2}-\d{2}$/.test(deadline) ? days < 0 : due.valueOf() < now.valueOf();
  if (past) {
    const late = Math.max(0, -days);
    return { days, overdue: true, dueSoon: false, text: late === 0 ? '已逾期' : `已逾期 ${late} 天` };
  }
  if (days === 0) return { days, overdue: false, dueSoon: true, text: '今天到期' };
  if (days === 1) return { days, overdue: false, dueSoon: true, text: '明天到期' };
  return { days, overdue: false, dueSoon: false, text: `剩余 ${days} 天` };
}
