/**
 * 差评工单 worklist: the bad reviews of the supervisor's city (provincial: every city) with their tickets, the
 * working days left to verify (3 WD) and to rectify (10 WD), overdue in red, escalated first for the provincial
 * level; filters by office, status and period; CSV export of the reviews and tickets for the filters.
 */
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router';
import { CursorPager } from '@/components/CursorPager';
import { PageHeader } from '@/components/PageHeader';
import { EmptyState, ErrorState } from '@/components/PageState';
import { WorkdayTag } from '@/components/WorkdayTag';
import { useCursorPages } from '@/hooks/useCursorPages';
import { useOfficeName } from '@/hooks/useReference';
import { useToast } from '@/hooks/useToast';
import { api, call } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import { downloadCsv } from '@/lib/csv';
import { formatDateTime, inShanghai } from '@/lib/dates';
import { RATING_LABELS, ticketStatusLabel } from '@/lib/labels';
import { EscalatedTickets } from './EscalatedTickets';
import { type Review, fetchReviews, reviewsCsv, ticketsCsv } from './exports';
import { FilterBar } from './FilterBar';
import { query, useFilters, useIsProvincial } from './filters';

const PAGE = 50;
const DONE = new Set(['CLOSED', 'EXPLAINED']);

function late(r: Review): boolean {
  const t = r.ticket;
  return !!t && ((t.verify_working_days_left ?? 0) < 0 || (t.rectify_working_days_left ?? 0) < 0);
}

/** Escalated first (provincial), then overdue, then the nearest deadline; finished tickets last. */
export function worklistOrder(provincial: boolean) {
  return (a: Review, b: Review): number => {
    const done = (r: Review) => DONE.has(r.ticket?.status ?? '');
    if (done(a) !== done(b)) return done(a) ? 1 : -1;
    if (provincial && !!a.ticket?.escalated !== !!b.ticket?.escalated) return a.ticket?.escalated ? -1 : 1;
    if (late(a) !== late(b)) return late(a) ? -1 : 1;
    const left = (r: Review) => r.ticket?.verify_working_days_left ?? r.ticket?.rectify_working_days_left ?? 99;
    return left(a) - left(b) || b.created_at.localeCompare(a.created_at);
  };
}

export function WorklistPage() {
  const provincial = useIsProvincial();
  const officeName = useOfficeName();
  const message = useToast();
  const [filters, setFilters] = useFilters();
  const pages = useCursorPages();
  const [exporting, setExporting] = useState<string | null>(null);
  const { cursor } = pages;
  const list = useQuery({
    queryKey: ['reviews', 'bad', filters, cursor ?? ''],
    queryFn: () => call(api().GET('/reviews', {
      params: { query: { ...query(filters, ['city', 'office_id', 'ticket_status', 'from', 'to']), bad: 'true', limit: PAGE, ...(cursor ? { cursor } : {}) } },
    })),
    refetchInterval: 60_000,
  });

  async function exportCsv(kind: 'reviews' | 'tickets') {
    setExporting(kind);
    try {
      const rows = await fetchReviews(filters, kind === 'tickets');
      const text = kind === 'reviews' ? reviewsCsv(rows, officeName) : ticketsCsv(rows, officeName);
      downloadCsv(`${kind === 'reviews' ? '评价' : '差评工单'}-${inShanghai(new Date()).format('YYYYMMDD')}.csv`, text);
    } catch (err) {
      message.error(`导出失败：${errorMessage(err)}`);
    } finally {
      setExporting(null);
    }
  }

  const columns: ColumnsType<Review> = [
    {
      title: '工单',
      key: 'ticket',
      render: (_: unknown, r) => r.ticket?.ticket_id ? (
        <Space direction="vertical" size={0}>
          <Link to={`/supervisor/tickets/${encodeURIComponent(r.ticket.ticket_id)}`}>{r.case_no}</Link>
          <Typography.Text type="secondary">{r.stage === 'handling' ? '办理环节' : '收件环节'}</Typography.Text>
        </Space>
      ) : r.case_no,
    },
    { title: '被评单位', dataIndex: 'office_id', render: (id: string) => officeName(id) },
    { title: '评分', dataIndex: 'rating', render: (v: number) => <Tag color="error">{v} 星 · {RATING_LABELS[v]}</Tag> },
    { title: '原因', key: 'tags', render: (_: unknown, r) => <Space size={2} wrap>{(r.tags as string[]).map((t) => <Tag key={t}>{t}</Tag>)}</Space> },
    {
      title: '状态',
      key: 'status',
      render: (_: unknown, r) => (
        <Space size={2} wrap>
          <Tag color={DONE.has(r.ticket?.status ?? '') ? 'success' : 'processing'}>{ticketStatusLabel(r.ticket?.status ?? '待生成')}</Tag>
          {r.ticket?.escalated ? <Tag color="magenta">已升级省级</Tag> : null}
          {r.excluded_from_statistics ? <Tag>申诉成立</Tag> : null}
        </Space>
      ),
    },
    {
      title: '期限（工作日）',
      key: 'due',
      render: (_: unknown, r) => (
        <Space direction="vertical" size={2}>
          <WorkdayTag label="核实" left={r.ticket?.verify_working_days_left} deadline={r.ticket?.verify_due} />
          <WorkdayTag label="整改" left={r.ticket?.rectify_working_days_left} deadline={r.ticket?.rectify_due} />
        </Space>
      ),
    },
    { title: '评价时间', dataIndex: 'created_at', render: (at: string) => formatDateTime(at) },
  ];
  const items = [...(list.data?.items ?? [])].sort(worklistOrder(provincial));
  return (
    <>
      <PageHeader
        title={provincial ? '差评工单（全省）' : '差评工单'}
        extra={
          <Space>
            <Button loading={exporting === 'reviews'} onClick={() => void exportCsv('reviews')}>导出评价 CSV</Button>
            <Button loading={exporting === 'tickets'} onClick={() => void exportCsv('tickets')}>导出工单 CSV</Button>
          </Space>
        }
      />
      {provincial ? <EscalatedTickets /> : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <FilterBar value={filters} withStatus onChange={(f) => { pages.reset(); setFilters(f); }} />
      </Card>
      <Card size="small">
        {list.isError ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : (
          <>
            <Table<Review>
              rowKey={(r) => `${r.case_no}-${r.stage}`}
              size="middle"
              loading={list.isPending}
              columns={columns}
              dataSource={items}
              pagination={false}
              rowClassName={(r) => (late(r) && !DONE.has(r.ticket?.status ?? '') ? 'kc-row-overdue' : '')}
              locale={{ emptyText: <EmptyState description="当前筛选条件下没有差评" /> }}
            />
            <CursorPager pages={pages} nextCursor={list.data?.next_cursor} />
          </>
        )}
      </Card>
    </>
  );
}
