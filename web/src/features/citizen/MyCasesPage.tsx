/** 我的办件: the citizen's own cases (GET /me/cases), newest first, a page at a time (next_cursor). */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Flex, Space, Tag } from 'antd';
import { Panel } from '@/components/Panel';
import { Link } from 'react-router';
import { CountdownTag } from '@/components/CountdownTag';
import { PageHeader } from '@/components/PageHeader';
import { EmptyState, ErrorState, Loading } from '@/components/PageState';
import { useMatterName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import { formatDate } from '@/lib/dates';
import { statusColor, statusLabel } from '@/lib/labels';

const PAGE = 10;

export function MyCasesPage() {
  const matterName = useMatterName();
  const cases = useInfiniteQuery({
    queryKey: ['my-cases'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(api().GET('/me/cases', { params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  const actions = (
    <Space wrap>
      <Link to="/citizen/apply"><Button type="primary">申请办理</Button></Link>
      <Link to="/citizen/claim"><Button>认领窗口办件</Button></Link>
    </Space>
  );

  if (cases.isPending) return (<><PageHeader title="我的办件" extra={actions} /><Loading label="正在加载我的办件…" /></>);
  if (cases.isError) return (<><PageHeader title="我的办件" extra={actions} /><ErrorState error={cases.error} onRetry={() => cases.refetch()} /></>);
  const items = cases.data.pages.flatMap((p) => p.items);
  return (
    <>
      <PageHeader title="我的办件" extra={actions} />
      {items.length === 0 ? (
        <Panel>
          <EmptyState
            description="您还没有办件。在线申请，或在窗口办理后用查询码认领。"
            action={actions}
          />
        </Panel>
      ) : (
        <ul className="kc-case-list">
          {items.map((c) => (
            <li key={c.case_no}>
              <Panel className="kc-case-card">
                <Flex justify="space-between" align="start" gap={8} wrap>
                  <div>
                    <Link to={`/citizen/cases/${c.case_no}`} className="kc-case-link">{matterName(c.matter_id)}</Link>
                    <div><span className="kc-secondary">{c.case_no} · 申请于 {formatDate(c.created_at)}</span></div>
                  </div>
                  <Tag color={statusColor(c.status)}>{statusLabel(c.status)}</Tag>
                </Flex>
                <Flex gap={6} wrap className="kc-case-flags">
                  {c.missing.length ? <Tag color="warning">待补齐：{c.missing.join('、')}</Tag> : null}
                  {c.missing.length && c.supplement_due ? <CountdownTag deadline={c.supplement_due} /> : null}
                  {c.promised_by ? <Tag>承诺 {formatDate(c.promised_by)} 前办结</Tag> : null}
                </Flex>
              </Panel>
            </li>
          ))}
        </ul>
      )}
      {cases.hasNextPage ? (
        <Button block onClick={() => cases.fetchNextPage()} loading={cases.isFetchingNextPage}>加载更多</Button>
      ) : items.length ? <p className="kc-secondary kc-list-end">已显示全部 {items.length} 件</p> : null}
    </>
  );
}
