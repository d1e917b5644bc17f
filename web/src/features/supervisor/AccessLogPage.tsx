/** 个人信息查阅记录 (provincial supervisors): who read which reviewer's contact, when and why, by CST month. */
import { useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Form, Table } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router';
import { CursorPager } from '@/components/CursorPager';
import { PageHeader } from '@/components/PageHeader';
import { EmptyState, ErrorState } from '@/components/PageState';
import { useCursorPages } from '@/hooks/useCursorPages';
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';
import { formatDateTime, inShanghai, TIME_ZONE } from '@/lib/dates';
import { cityName, ROLE_LABELS, type Role } from '@/lib/labels';

type Entry = components['schemas']['AccessLogEntry'];

export function AccessLogPage() {
  const [month, setMonth] = useState(inShanghai(new Date()).format('YYYY-MM'));
  const pages = useCursorPages();
  const { cursor } = pages;
  const log = useQuery({
    queryKey: ['access-log', month, cursor ?? ''],
    queryFn: () => call(api().GET('/access-log', { params: { query: { month, limit: 50, ...(cursor ? { cursor } : {}) } } })),
  });
  return (
    <>
      <PageHeader title="个人信息查阅记录" />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form layout="inline">
          <Form.Item label="月份" htmlFor="log-month">
            <DatePicker
              id="log-month"
              picker="month"
              allowClear={false}
              value={dayjs.tz(`${month}-01`, TIME_ZONE)}
              onChange={(d) => { if (d) { pages.reset(); setMonth(d.format('YYYY-MM')); } }}
            />
          </Form.Item>
        </Form>
      </Card>
      <Card size="small">
        {log.isError ? <ErrorState error={log.error} onRetry={() => log.refetch()} /> : (
          <>
            <Table<Entry>
              rowKey="entry_id"
              size="middle"
              loading={log.isPending}
              dataSource={log.data?.items ?? []}
              pagination={false}
              locale={{ emptyText: <EmptyState description="本月没有查阅记录" /> }}
              columns={[
                { title: '时间', dataIndex: 'at', render: (at: string) => formatDateTime(at) },
                { title: '查阅人', key: 'who', render: (_: unknown, e) => `${e.reader_name || e.reader_sub}（${ROLE_LABELS[e.reader_role as Role] ?? e.reader_role} · ${cityName(e.reader_city)}）` },
                { title: '查阅内容', dataIndex: 'what', render: (w: string) => (w === 'reviewer_contact' ? '评价人联系方式' : w) },
                { title: '工单', dataIndex: 'ticket_id', render: (id: string | null) => (id ? <Link to={`/supervisor/tickets/${encodeURIComponent(id)}`}>{id}</Link> : '—') },
                { title: '办件编号', dataIndex: 'case_no' },
                { title: '事由', dataIndex: 'reason' },
              ]}
            />
            <CursorPager pages={pages} nextCursor={log.data?.next_cursor} />
          </>
        )}
      </Card>
    </>
  );
}
