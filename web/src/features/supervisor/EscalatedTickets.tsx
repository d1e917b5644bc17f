/**
 * 超期升级工单: the tickets escalated to the provincial level whose work is not finished, earliest escalation
 * first, read from GET /tickets?escalated=true (one query per city on the server, no scan). Shown above the
 * provincial worklist, which lists the reviews newest first.
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import { WorkdayTag } from '@/components/WorkdayTag';
import { useOfficeName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';
import { RATING_LABELS, ticketStatusLabel } from '@/lib/labels';

type Ticket = components['schemas']['Ticket'];
const STEP_LABELS: Record<string, string> = { verify: '核实超期', rectify: '整改超期' };

export function EscalatedTickets() {
  const officeName = useOfficeName();
  const list = useQuery({
    queryKey: ['tickets', 'escalated'],
    queryFn: () => call(api().GET('/tickets', { params: { query: { escalated: 'true', limit: 50 } } })),
    refetchInterval: 60_000,
  });
  const items = list.data?.items ?? [];
  if (list.isPending || list.isError || items.length === 0) return null;
  const columns: ColumnsType<Ticket> = [
    {
      title: '工单',
      key: 'ticket',
      render: (_: unknown, t) => <Link to={`/supervisor/tickets/${encodeURIComponent(t.ticket_id)}`}>{t.case_no ?? t.ticket_id}</Link>,
    },
    { title: '被评单位', dataIndex: 'office_id', render: (id: string) => officeName(id) },
    { title: '评分', dataIndex: 'rating', render: (v: number) => <Tag color="error">{v} 星 · {RATING_LABELS[v]}</Tag> },
    { title: '状态', dataIndex: 'status', render: (s: string) => <Tag color="processing">{ticketStatusLabel(s)}</Tag> },
    { title: '超期环节', dataIndex: 'overdue', render: (steps: string[]) => steps.map((s) => <Tag key={s} color="magenta">{STEP_LABELS[s] ?? s}</Tag>) },
    {
      title: '期限（工作日）',
      key: 'due',
      render: (_: unknown, t) => (
        <>
          <WorkdayTag label="核实" left={t.verify_working_days_left} deadline={t.verify_due} />
          <WorkdayTag label="整改" left={t.rectify_working_days_left} deadline={t.rectify_due} />
        </>
      ),
    },
  ];
  return (
    <Card size="small" title={`超期升级工单（${items.length}${list.data?.next_cursor ? '+' : ''}）`} style={{ marginBottom: 16 }}>
      <Table<Ticket> rowKey="ticket_id" size="small" columns={columns} dataSource={items} pagination={false} />
    </Card>
  );
}
