/**
 * 收件工作台: the office's work queue by status, with overdue and due-soon flags, sorted by deadline, searched by
 * case number, paged with next_cursor; received cases can be forwarded one by one or several at once.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Flex, Input, Space, Table, Tabs, Tag, Typography } from 'antd';
import { Panel } from '@/components/Panel';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { CountdownTag } from '@/components/CountdownTag';
import { PageHeader } from '@/components/PageHeader';
import { EmptyState, ErrorState } from '@/components/PageState';
import { useMatterName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import type { components } from '@/lib/api/schema';
import { useAuthValue } from '@/lib/auth/context';
import { formatDateTime } from '@/lib/dates';
import { statusColor, statusLabel, type CaseStatus } from '@/lib/labels';

type Item = components['schemas']['QueueItem'];
const PAGE = 20;

const TABS: { key: string; label: string; status?: CaseStatus }[] = [
  { key: 'SUBMITTED', label: '待收件', status: 'SUBMITTED' },
  { key: 'RECEIVED', label: '待转递', status: 'RECEIVED' },
  { key: 'IN_TRANSIT', label: '寄递中', status: 'IN_TRANSIT' },
  { key: 'REFUSED', label: '不予收件', status: 'REFUSED' },
  { key: 'ALL', label: '全部' },
];

/** Earliest deadline first; overdue first of all; cases without a deadline yet by when they came in. */
export function byDeadline(a: Item, b: Item): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  if (a.promised_by && b.promised_by) return a.promised_by.localeCompare(b.promised_by);
  if (a.promised_by || b.promised_by) return a.promised_by ? -1 : 1;
  return a.created_at.localeCompare(b.created_at);
}

function QueueTable({ officeId, status }: { officeId: string; status?: CaseStatus }) {
  const matterName = useMatterName();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<string[]>([]);
  const [forwarding, setForwarding] = useState(false);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ['queue', officeId, status ?? 'ALL', cursor ?? ''],
    queryFn: () => call(api().GET('/offices/{office_id}/cases', {
      params: { path: { office_id: officeId }, query: { limit: PAGE, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
    })),
    refetchInterval: 30_000,
  });

  async function forwardSelected() {
    setForwarding(true);
    const failed: string[] = [];
    for (const caseNo of selected) {
      try {
        await call(api().POST('/cases/{case_no}/forward', { params: { path: { case_no: caseNo } }, body: {} }));
      } catch (err) {
        failed.push(`${caseNo}：${errorMessage(err)}`);
      }
    }
    setForwarding(false);
    const done = selected.length - failed.length;
    if (done) message.success(`已转递 ${done} 件`);
    if (failed.length) message.error(`未能转递 ${failed.length} 件：${failed.join('；')}`, 8);
    setSelected([]);
    await queryClient.invalidateQueries({ queryKey: ['queue', officeId] });
  }

  const columns: ColumnsType<Item> = [
    { title: '办件编号', dataIndex: 'case_no', render: (no: string) => <Link to={`/window/cases/${no}`}>{no}</Link> },
    { title: '事项', dataIndex: 'matter_id', render: (id: string) => matterName(id) },
    { title: '申请人', dataIndex: 'applicant_name' },
    { title: '状态', dataIndex: 'status', render: (s: string) => <Tag color={statusColor(s)}>{statusLabel(s)}</Tag> },
    {
      title: '期限',
      key: 'deadline',
      render: (_: unknown, item) => (
        <Space size={4} wrap>
          {item.overdue ? <Tag color="error">已超期</Tag> : null}
          {item.promised_by ? <CountdownTag deadline={item.promised_by} /> : <Typography.Text type="secondary">未起算</Typography.Text>}
          {item.missing.length ? <Tag color="warning">容缺 {item.missing.length} 项</Tag> : null}
        </Space>
      ),
    },
    { title: '申请时间', dataIndex: 'created_at', render: (at: string) => formatDateTime(at) },
  ];

  if (page.isError) return <ErrorState error={page.error} onRetry={() => page.refetch()} />;
  const items = [...(page.data?.items ?? [])].sort(byDeadline);
  const canForward = status === 'RECEIVED';
  return (
    <>
      {canForward ? (
        <Flex gap={8} align="center" className="kc-bulk-bar">
          <Button type="primary" disabled={!selected.length} loading={forwarding} onClick={() => void forwardSelected()}>
            转递所选（{selected.length}）
          </Button>
          <Typography.Text type="secondary">勾选已收件的办件，一次转递到各自的办理地。</Typography.Text>
        </Flex>
      ) : null}
      <Table<Item>
        rowKey="case_no"
        size="middle"
        loading={page.isPending}
        columns={columns}
        dataSource={items}
        pagination={false}
        rowClassName={(item) => (item.overdue ? 'kc-row-overdue' : '')}
        rowSelection={canForward ? {
          selectedRowKeys: selected,
          onChange: (keys) => setSelected(keys.map(String)),
          getCheckboxProps: (item) => ({ 'aria-label': `选择 ${item.case_no}` }),
          columnTitle: undefined,
        } : undefined}
        locale={{ emptyText: <EmptyState description={`暂无${status ? statusLabel(status) : ''}办件`} /> }}
      />
      <Flex justify="end" gap={8} className="kc-pager">
        <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>上一页</Button>
        <Button disabled={!page.data?.next_cursor} onClick={() => setCursors((c) => [...c, page.data?.next_cursor ?? undefined])}>下一页</Button>
      </Flex>
    </>
  );
}

export function QueuePage() {
  const auth = useAuthValue();
  const navigate = useNavigate();
  const officeId = auth.identity?.officeId ?? '';
  const [tab, setTab] = useState('SUBMITTED');
  return (
    <>
      <PageHeader
        title="收件工作台"
        extra={
          <Space wrap>
            <Input.Search
              aria-label="按办件编号查找"
              placeholder="输入办件编号查找"
              enterButton="查找"
              allowClear
              onSearch={(v) => v.trim() && navigate(`/window/cases/${v.trim().toUpperCase()}`)}
              style={{ width: 320 }}
            />
            <Link to="/window/walk-in"><Button type="primary">窗口代录</Button></Link>
          </Space>
        }
      />
      <Panel size="small">
        <Tabs
          activeKey={tab}
          onChange={setTab}
          destroyOnHidden
          items={TABS.map((t) => ({
            key: t.key,
            label: t.label,
            children: <QueueTable officeId={officeId} status={t.status} />,
          }))}
        />
      </Panel>
    </>
  );
}
