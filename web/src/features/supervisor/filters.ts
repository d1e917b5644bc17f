/** Supervisors' filters (city, office, period in Asia/Shanghai dates) kept in the URL, so a view can be shared. */
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import { useAuthValue } from '@/lib/auth/context';
import { inShanghai } from '@/lib/dates';

export const PROVINCIAL = '440000';

export interface Filters {
  city?: string;
  office_id?: string;
  ticket_status?: string;
  from?: string;
  to?: string;
}

export function useIsProvincial(): boolean {
  return useAuthValue().identity?.city === PROVINCIAL;
}

export function useFilters(defaults: Filters = {}): [Filters, (next: Filters) => void] {
  const [params, setParams] = useSearchParams();
  const read = (k: keyof Filters) => params.get(k) ?? defaults[k] ?? undefined;
  const filters: Filters = { city: read('city'), office_id: read('office_id'), ticket_status: read('ticket_status'), from: read('from'), to: read('to') };
  const set = (next: Filters) => {
    const out = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) out.set(k, v);
    setParams(out, { replace: true });
  };
  return [filters, set];
}

/** The last 12 months, CST: from the first day of the 11th month back to today. */
export function lastTwelveMonths(now: Date = new Date()): { from: string; to: string } {
  const today = inShanghai(now);
  return { from: today.subtract(11, 'month').startOf('month').format('YYYY-MM-DD'), to: today.format('YYYY-MM-DD') };
}

export function toDay(value: dayjs.Dayjs | null | undefined): string | undefined {
  return value ? value.format('YYYY-MM-DD') : undefined;
}

/** Query parameters the API takes: only those set. */
export function query(filters: Filters, keys: (keyof Filters)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = filters[k];
    if (v) out[k] = v;
  }
  return out;
}
