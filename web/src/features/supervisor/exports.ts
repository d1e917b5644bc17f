/**
 * CSV exports of the supervisors' views, for the current filters: reviews, tickets and statistics. Personal data
 * is masked (the reviewer's name; identity and mobile numbers in free text), whatever the reader may see on
 * screen. Lists are read page by page (up to MAX_ROWS) with the API's cursors.
 */
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';
import { toCsv } from '@/lib/csv';
import { formatDateTime } from '@/lib/dates';
import { cityName, RATING_LABELS, STAGE_LABELS, ticketStatusLabel } from '@/lib/labels';
import { maskName, scrubText } from '@/lib/mask';
import { type Filters, query } from './filters';

export type Review = components['schemas']['Review'];
export type Stats = components['schemas']['Stats'];
type Figures = components['schemas']['Figures'];
const MAX_ROWS = 2000;

export async function fetchReviews(filters: Filters, bad: boolean): Promise<Review[]> {
  const out: Review[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(api().GET('/reviews', {
      params: { query: { ...query(filters, ['city', 'office_id', 'ticket_status', 'from', 'to']), ...(bad ? { bad: 'true' as const } : {}), limit: 100, ...(cursor ? { cursor } : {}) } },
    }));
    out.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && out.length < MAX_ROWS);
  return out;
}

export function reviewsCsv(rows: Review[], officeName: (id: string) => string): string {
  return toCsv(rows, [
    { header: '评价时间', value: (r) => formatDateTime(r.created_at) },
    { header: '办件编号', value: (r) => r.case_no },
    { header: '环节', value: (r) => STAGE_LABELS[r.stage] ?? r.stage },
    { header: '城市', value: (r) => cityName(r.city) },
    { header: '被评单位', value: (r) => officeName(r.office_id) },
    { header: '评分', value: (r) => r.rating },
    { header: '评价等级', value: (r) => RATING_LABELS[r.rating] ?? '' },
    { header: '默认评价', value: (r) => (r.default ? '是' : '否') },
    { header: '原因标签', value: (r) => (r.tags as string[]).join('、') },
    { header: '评价内容', value: (r) => scrubText(r.comment) },
    { header: '评价人', value: (r) => maskName(r.reviewer?.name) },
    { header: '工单状态', value: (r) => (r.ticket?.status ? ticketStatusLabel(r.ticket.status) : '') },
    { header: '不计入统计', value: (r) => (r.excluded_from_statistics ? '是' : '否') },
  ]);
}

export function ticketsCsv(rows: Review[], officeName: (id: string) => string): string {
  return toCsv(rows.filter((r) => r.ticket), [
    { header: '工单号', value: (r) => r.ticket?.ticket_id },
    { header: '办件编号', value: (r) => r.case_no },
    { header: '被评单位', value: (r) => officeName(r.office_id) },
    { header: '评分', value: (r) => r.rating },
    { header: '评价时间', value: (r) => formatDateTime(r.created_at) },
    { header: '工单状态', value: (r) => ticketStatusLabel(r.ticket?.status) },
    { header: '核实期限', value: (r) => r.ticket?.verify_due },
    { header: '核实剩余工作日', value: (r) => r.ticket?.verify_working_days_left },
    { header: '整改期限', value: (r) => r.ticket?.rectify_due },
    { header: '整改剩余工作日', value: (r) => r.ticket?.rectify_working_days_left },
    { header: '已升级', value: (r) => (r.ticket?.escalated ? '是' : '否') },
    { header: '评价人', value: (r) => maskName(r.reviewer?.name) },
  ]);
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '' : `${(v * 100).toFixed(1)}%`);

const FIGURE_COLUMNS: { header: string; value: (f: Figures) => string | number }[] = [
  { header: '评价数', value: (f) => f.reviews },
  { header: '好评率', value: (f) => pct(f.good_rate) },
  { header: '主动好评率', value: (f) => pct(f.active_good_rate) },
  { header: '差评率', value: (f) => pct(f.bad_rate) },
  { header: '未评率', value: (f) => pct(f.unrated_rate) },
  { header: '差评回复率', value: (f) => pct(f.reply_rate) },
  { header: '整改率', value: (f) => pct(f.rectification_rate) },
  { header: '按时办结率', value: (f) => pct(f.on_time_rate) },
  { header: '回访满意率', value: (f) => pct(f.satisfaction_rate) },
];

export function statsCsv(trend: Stats | undefined, offices: Stats | undefined): string {
  type Row = { kind: string; name: string; f: Figures };
  const rows: Row[] = [
    ...(trend?.months ?? []).map((m) => ({ kind: '月份', name: m.month, f: m })),
    ...(offices?.offices ?? []).map((o) => ({ kind: '单位', name: (o as Figures & { name?: string }).name ?? '', f: o })),
    ...(offices ? [{ kind: '合计', name: offices.from && offices.to ? `${offices.from} 至 ${offices.to}` : '全部', f: offices }] : []),
  ];
  return toCsv(rows, [
    { header: '类别', value: (r) => r.kind },
    { header: '名称', value: (r) => r.name },
    ...FIGURE_COLUMNS.map((c) => ({ header: c.header, value: (r: Row) => c.value(r.f) })),
  ]);
}

export { pct };
