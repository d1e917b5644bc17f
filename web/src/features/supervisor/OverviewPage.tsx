/** 城市概览: cases by status and overdue counts per office, for the supervisor's city (provincial: every city). */
import { useQuery } from '@tanstack/react-query';
import { Card, Form, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { PageHeader } from '@/components/PageHeader';
import { EmptyState, ErrorState } from '@/components/PageState';
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';
import { ALL_STATUSES, cityName, CITY_NAMES, STATUS_LABELS } from '@/lib/labels';
import { PROVINCIAL, useIsProvincial } from './filters';

type Row = components['schemas']['OfficeOverview'];
type DecisionRow = components['schemas']['MatterDecisions'];

/** 秒批: decided cases per matter handled in the scope, and the share decided automatically by rule. */
function AutomaticDecisions({ city }: { city: string | undefined }) {
  const shares = useQuery({
    queryKey: ['decision-shares', city ?? 'mine'],
    queryFn: () => call(api().GET('/stats/decisions', { params: { query: city ? { city } : {} } })),
    refetchInterval: 60_000,
  });
  return (
    <Card size="small" title={<h2 className="kc-card-title">秒批：自动审批占比（按事项）</h2>} style={{ marginTop: 16 }}>
      {shares.isError ? <ErrorState error={shares.error} onRetry={() => shares.refetch()} /> : (
        <Table<DecisionRow>
          rowKey="matter_id"
          size="middle"
          loading={shares.isPending}
          dataSource={shares.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: <EmptyState description="暂无已决定的办件" /> }}
          columns={[
            { title: '事项', dataIndex: 'name' },
            { title: '秒批规则', dataIndex: 'has_rule', render: (v: boolean) => (v ? '有' : '—') },
            { title: '已决定', dataIndex: 'decided' },
            { title: '系统自动准予', dataIndex: 'automatic' },
            { title: '人工决定', dataIndex: 'by_person' },
            { title: '自动占比', dataIndex: 'automatic_share',
              render: (v: number | null) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`) },
          ]}
        />
      )}
    </Card>
  );
}

export function OverviewPage() {
  const provincial = useIsProvincial();
  const [city, setCity] = useState<string | undefined>();
  const overview = useQuery({
    queryKey: ['overview', city ?? 'mine'],
    queryFn: () => call(api().GET('/overview/cases', { params: { query: city ? { city } : {} } })),
    refetchInterval: 60_000,
  });
  const rows = overview.data?.offices ?? [];
  // Only the states some office has a case in get a column: a wide table of zeros helps no one.
  const statuses = ALL_STATUSES.filter((s) => rows.some((r) => (r.by_status[s] ?? 0) > 0));
  return (
    <>
      <PageHeader title={`城市概览（${overview.data?.city ? cityName(overview.data.city) : '全省'}）`} />
      {provincial ? (
        <Card size="small" style={{ marginBottom: 16 }}>
          <Form layout="inline">
            <Form.Item label="城市" htmlFor="overview-city">
              <Select
                id="overview-city"
                allowClear
                placeholder="全省"
                style={{ width: 160 }}
                value={city}
                onChange={setCity}
                options={Object.entries(CITY_NAMES).filter(([c]) => c !== PROVINCIAL).map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
          </Form>
        </Card>
      ) : null}
      <Card size="small">
        {overview.isError ? <ErrorState error={overview.error} onRetry={() => overview.refetch()} /> : (
          <Table<Row>
            rowKey="office_id"
            size="middle"
            loading={overview.isPending}
            dataSource={rows}
            pagination={false}
            scroll={{ x: true }}
            locale={{ emptyText: <EmptyState description="暂无办件" /> }}
            rowClassName={(r) => (r.overdue ? 'kc-row-overdue' : '')}
            columns={[
              { title: '单位', dataIndex: 'name', fixed: 'left' },
              { title: '城市', dataIndex: 'city', render: cityName },
              { title: '办件总数', dataIndex: 'total' },
              { title: '超期', dataIndex: 'overdue', render: (n: number) => (n ? <Tag color="error">{n}</Tag> : 0) },
              ...statuses.map((s) => ({ title: STATUS_LABELS[s], key: s, render: (_: unknown, r: Row) => r.by_status[s] ?? 0 })),
            ]}
          />
        )}
      </Card>
      <AutomaticDecisions city={city} />
    </>
  );
}
