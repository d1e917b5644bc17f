/**
 * 收件工作台: the office's work queue by status, with overdue and due-soon flags, sorted by deadline, searched by
 * case number, paged with next_cursor; received cases can be forwarded one by one or several at once.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Button, Flex, Input, Space, Tabs, Tag, Typography } from 'antd';
import { Panel } from '@/components/Panel';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { CountdownTag } from '@/components/CountdownTag';
import { PageHeader } from '@/components/PageHeader';
import { queueKey, WorkQueueTable, type QueueItem } from '@/components/WorkQueueTable';
import { useToast } from '@/hooks/useToast';
import { api, call } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import { useAuthValue } from '@/lib/auth/context';
import type { CaseStatus } from '@/lib/labels';

type Item = QueueItem;

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
  const queryClient = useQueryClient();
  const message = useToast();
  const [selected, setSelected] = useState<string[]>([]);
  const [forwarding, setForwarding] = useState(false);

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
    await queryClient.invalidateQueries({ queryKey: queueKey(officeId) });
  }

  const columns: ColumnsType<Item> = [
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
  ];
  const canForward = status === 'RECEIVED';
  return (
    <WorkQueueTable
      officeId={officeId}
      status={status}
      caseHref={(no) => `/window/cases/${no}`}
      columns={columns}
      time={{ title: '申请时间', field: 'created_at' }}
      sort={byDeadline}
      isOverdue={(item) => item.overdue}
      toolbar={canForward ? (
        <Flex gap={8} align="center" className="kc-bulk-bar">
          <Button type="primary" disabled={!selected.length} loading={forwarding} onClick={() => void forwardSelected()}>
            转递所选（{selected.length}）
          </Button>
          <Typography.Text type="secondary">勾选已收件的办件，一次转递到各自的办理地。</Typography.Text>
        </Flex>
      ) : null}
      rowSelection={canForward ? {
        selectedRowKeys: selected,
        onChange: (keys) => setSelected(keys.map(String)),
        getCheckboxProps: (item) => ({ 'aria-label': `选择 ${item.case_no}` }),
        columnTitle: undefined,
      } : undefined}
    />
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
