/**
 * 办理工作台 (handling office inbox): cases travelling to or waiting at this office, with the materials leg's
 * expected arrival and last tracking event, overdue and due-soon flags in working days, paging and search by
 * case number. Pickup offices see the results waiting at their counter (待领取) with the identity masked.
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Input, Space, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { PageHeader } from '@/components/PageHeader';
import { WorkdayTag } from '@/components/WorkdayTag';
import { WorkQueueTable, type QueueItem } from '@/components/WorkQueueTable';
import { useOfficeName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import { useAuthValue } from '@/lib/auth/context';
import { formatDate } from '@/lib/dates';
import { parcelEventLabel, type CaseStatus } from '@/lib/labels';

type Item = QueueItem;

const TABS: { key: string; label: string; status?: CaseStatus }[] = [
  { key: 'IN_TRANSIT', label: '待签收（寄递中）', status: 'IN_TRANSIT' },
  { key: 'ACCEPTED', label: '办理中', status: 'ACCEPTED' },
  { key: 'RETURNED', label: '退回补正', status: 'RETURNED' },
  { key: 'APPROVED', label: '准予待寄', status: 'APPROVED' },
  { key: 'DENIED', label: '不予待寄', status: 'DENIED' },
  { key: 'RESULT_IN_TRANSIT', label: '结果寄递中', status: 'RESULT_IN_TRANSIT' },
  { key: 'READY_FOR_PICKUP', label: '待领取', status: 'READY_FOR_PICKUP' },
];

/** Overdue first, then the fewest working days left; cases without a deadline by arrival. */
export function byUrgency(a: Item, b: Item): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const left = (i: Item) => i.working_days_left ?? Number.MAX_SAFE_INTEGER;
  if (left(a) !== left(b)) return left(a) - left(b);
  return a.updated_at.localeCompare(b.updated_at);
}

/** The materials leg of a case on its way here: when it should arrive and where it is now. */
function ExpectedArrival({ caseNo }: { caseNo: string }) {
  const legs = useQuery({
    queryKey: ['case', caseNo, 'shipments'],
    queryFn: async () => (await call(api().GET('/cases/{case_no}/shipments', { params: { path: { case_no: caseNo } } }))).items,
    staleTime: 30_000,
  });
  if (legs.isPending) return <Typography.Text type="secondary">查询中…</Typography.Text>;
  if (legs.isError) return <Typography.Text type="danger">寄递信息加载失败：{errorMessage(legs.error)}</Typography.Text>;
  const leg = legs.data.filter((l) => l.kind.toLowerCase() === 'materials' && !l.superseded_by).at(-1);
  if (!leg) return <Typography.Text type="secondary">电子流转 / 待寄出</Typography.Text>;
  const last = leg.events.at(-1);
  return (
    <Space direction="vertical" size={0}>
      <span>预计 {formatDate(leg.expected_arrival)} 到达</span>
      <Typography.Text type="secondary">
        {leg.waybill} · {last ? parcelEventLabel(last.event) : parcelEventLabel(leg.status)}
      </Typography.Text>
      {leg.overdue ? <Tag color="error">寄递超时</Tag> : null}
    </Space>
  );
}

function InboxTable({ officeId, status }: { officeId: string; status: CaseStatus }) {
  const officeName = useOfficeName();
  const pickup = status === 'READY_FOR_PICKUP';
  const columns: ColumnsType<QueueItem> = [
    { title: '收件窗口', dataIndex: 'receiving_office_id', render: (id: string) => officeName(id) },
    status === 'IN_TRANSIT'
      ? { title: '材料预计到达', key: 'arrival', render: (_: unknown, item) => <ExpectedArrival caseNo={item.case_no} /> }
      : {
          title: '办结期限',
          key: 'deadline',
          render: (_: unknown, item) => (
            <Space size={4} wrap>
              {item.overdue ? <Tag color="error">已超期</Tag> : null}
              {item.promised_by ? <WorkdayTag left={item.working_days_left} deadline={item.promised_by} /> : <Typography.Text type="secondary">未起算</Typography.Text>}
            </Space>
          ),
        },
  ];
  return (
    <WorkQueueTable
      officeId={officeId}
      status={status}
      caseHref={(no) => `/handling/cases/${no}`}
      applicantTitle={pickup ? '申请人（核对证件）' : '申请人'}
      columns={columns}
      time={{ title: '更新时间', field: 'updated_at' }}
      // The queue holds the office's cases as receiving window too: the inbox shows those it handles or hands over.
      filter={(i) => i.handling_office_id === officeId || pickup}
      sort={byUrgency}
      isOverdue={(item) => item.overdue || (item.working_days_left ?? 0) < 0}
    />
  );
}

export function InboxPage() {
  const auth = useAuthValue();
  const navigate = useNavigate();
  const officeId = auth.identity?.officeId ?? '';
  const [tab, setTab] = useState('IN_TRANSIT');
  return (
    <>
      <PageHeader
        title="办理工作台"
        extra={
          <Input.Search
            aria-label="按办件编号查找"
            placeholder="输入办件编号查找"
            enterButton="查找"
            allowClear
            onSearch={(v) => v.trim() && navigate(`/handling/cases/${v.trim().toUpperCase()}`)}
            style={{ width: 320 }}
          />
        }
      />
      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={setTab}
          destroyOnHidden
          items={TABS.map((t) => ({
            key: t.key,
            label: t.label,
            children: t.status ? <InboxTable officeId={officeId} status={t.status} /> : null,
          }))}
        />
      </Card>
    </>
  );
}
