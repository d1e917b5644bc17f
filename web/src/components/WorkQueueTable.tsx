/**
 * One status tab of an office's work queue (`GET /offices/{office_id}/cases`), shared by the receiving window's
 * 收件工作台 and the handling office's 办理工作台: case number linked to the page's case view, matter, applicant,
 * status, the page's own deadline columns, a time column; overdue rows flagged; paged with next_cursor.
 */
import { useQuery } from '@tanstack/react-query';
import { Table, Tag } from 'antd';
import type { ColumnsType, TableRowSelection } from 'antd/es/table/interface';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { CursorPager } from '@/components/CursorPager';
import { EmptyState, ErrorState } from '@/components/PageState';
import { useCursorPages } from '@/hooks/useCursorPages';
import { useMatterName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';
import { formatDateTime } from '@/lib/dates';
import { statusColor, statusLabel, type CaseStatus } from '@/lib/labels';

export type QueueItem = components['schemas']['QueueItem'];
const PAGE = 20;

/** Query key prefix of an office's queue: invalidate it after acting on its cases. */
export const queueKey = (officeId: string) => ['queue', officeId] as const;

export interface WorkQueueTableProps {
  officeId: string;
  /** The tab's status; none lists every status. */
  status?: CaseStatus;
  /** Where a case number links to, e.g. (no) => `/window/cases/${no}`. */
  caseHref: (caseNo: string) => string;
  /** Title of the applicant column. */
  applicantTitle?: string;
  /** The page's own columns, shown after the status. */
  columns: ColumnsType<QueueItem>;
  /** The time column at the end. */
  time: { title: string; field: 'created_at' | 'updated_at' };
  /** Which of the page's items to show (the queue also holds the office's cases in other roles). */
  filter?: (item: QueueItem) => boolean;
  sort: (a: QueueItem, b: QueueItem) => number;
  isOverdue: (item: QueueItem) => boolean;
  rowSelection?: TableRowSelection<QueueItem>;
  /** Shown above the table (e.g. bulk actions). */
  toolbar?: ReactNode;
}

export function WorkQueueTable(props: WorkQueueTableProps) {
  const { officeId, status, caseHref, applicantTitle = '申请人', columns, time, filter, sort, isOverdue, rowSelection, toolbar } = props;
  const matterName = useMatterName();
  const pages = useCursorPages();
  const { cursor } = pages;
  const page = useQuery({
    queryKey: [...queueKey(officeId), status ?? 'ALL', cursor ?? ''],
    queryFn: () => call(api().GET('/offices/{office_id}/cases', {
      params: { path: { office_id: officeId }, query: { limit: PAGE, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
    })),
    refetchInterval: 30_000,
  });
  if (page.isError) return <ErrorState error={page.error} onRetry={() => void page.refetch()} />;
  const all: ColumnsType<QueueItem> = [
    { title: '办件编号', dataIndex: 'case_no', render: (no: string) => <Link to={caseHref(no)}>{no}</Link> },
    { title: '事项', dataIndex: 'matter_id', render: (id: string) => matterName(id) },
    { title: applicantTitle, dataIndex: 'applicant_name' },
    { title: '状态', dataIndex: 'status', render: (s: string) => <Tag color={statusColor(s)}>{statusLabel(s)}</Tag> },
    ...columns,
    { title: time.title, dataIndex: time.field, render: (at: string) => formatDateTime(at) },
  ];
  const items = (page.data?.items ?? []).filter(filter ?? (() => true)).sort(sort);
  return (
    <>
      {toolbar}
      <Table<QueueItem>
        rowKey="case_no"
        size="middle"
        loading={page.isPending}
        columns={all}
        dataSource={items}
        pagination={false}
        rowClassName={(item) => (isOverdue(item) ? 'kc-row-overdue' : '')}
        rowSelection={rowSelection}
        locale={{ emptyText: <EmptyState description={`暂无${status ? statusLabel(status) : ''}办件`} /> }}
      />
      <CursorPager pages={pages} nextCursor={page.data?.next_cursor} />
    </>
  );
}
