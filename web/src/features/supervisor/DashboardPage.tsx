/**
 * 统计分析 dashboard (loaded with ECharts only on this route): the 12-month trend of 好评率/差评率/未评率, offices
 * compared, ticket status and on-time rate, each chart with the numbers behind it in a table; filters by city,
 * office and period (Asia/Shanghai dates); CSV export of the figures. One statistics request serves the three
 * charts: grouped by month, it carries the per-office figures too (offices and tickets charts). Whole months of
 * the last year come from the statistics snapshot, so the page says as of when its figures count.
 */
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Table, Typography } from 'antd';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';
import type { ColumnsType } from 'antd/es/table';
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { PageHeader } from '@/components/PageHeader';
import { EmptyState, ErrorState, Loading } from '@/components/PageState';
import { api, call } from '@/lib/api/client';
import { downloadCsv } from '@/lib/csv';
import { cityName } from '@/lib/labels';
import { formatDateTime, inShanghai } from '@/lib/dates';
import { pct, type Stats, statsCsv } from './exports';
import { FilterBar } from './FilterBar';
import { type Filters, lastTwelveMonths, query, useFilters, useIsProvincial } from './filters';

// Only the parts of ECharts these charts use: the dashboard's chunk stays a fraction of the full library.
echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type Figures = Stats['offices'][number];
type Office = Figures & { office_id?: string; name?: string };
// Series colours that read on white (ECharts' default lime and pale yellow do not): good, bad, unrated.
const RATE_COLORS = ['#0b57d0', '#cf1322', '#595959'];
const TICKET_COLORS = ['#ad4e00', '#0b57d0', '#237804', '#595959', '#722ed1'];
const rate = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);

function useStats(filters: Filters, group?: 'month') {
  return useQuery({
    queryKey: ['stats', filters, group ?? 'total'],
    queryFn: () => call(api().GET('/stats/reviews', {
      params: { query: { ...query(filters, ['city', 'office_id', 'from', 'to']), ...(group ? { group } : {}) } },
    })),
  });
}

/** One chart: its instance's series are mirrored on the element (data-series) for tests and assistive checks. */
function Chart({ id, option, label }: { id: string; option: EChartsOption; label: string }) {
  return (
    <div role="img" aria-label={label} data-chart={id}>
      <ReactEChartsCore
        echarts={echarts}
        option={option}
        className="kc-chart"
        notMerge
        onChartReady={(chart) => {
          const series = (chart.getOption().series as { name?: string; data?: unknown[] }[]) ?? [];
          const holder = chart.getDom().closest('[data-chart]');
          holder?.setAttribute('data-series', JSON.stringify(series.map((s) => ({ name: s.name, data: s.data }))));
        }}
        opts={{ renderer: 'canvas' }}
      />
    </div>
  );
}

/** A chart with the numbers behind it in a table beside it (one block of the dashboard). */
function ChartCard<T extends object>({ id, title, label, option, rows, rowKey, columns }: {
  id: string;
  title: string;
  label: string;
  option: EChartsOption;
  rows: T[];
  rowKey: keyof T | ((row: T) => string);
  columns: ColumnsType<T>;
}) {
  return (
    <Card size="small" title={<h2 className="kc-card-title">{title}</h2>}>
      <div className="kc-chart-grid">
        <Chart id={id} option={option} label={label} />
        <Table<T>
          size="small"
          rowKey={rowKey as string | ((row: T) => string)}
          pagination={false}
          dataSource={rows}
          columns={columns}
        />
      </div>
    </Card>
  );
}

function TrendCard({ data }: { data: Stats }) {
  const months = data.months ?? [];
  const option: EChartsOption = {
    color: RATE_COLORS,
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${String(v)}%`) },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: '好评率', type: 'line', data: months.map((m) => rate(m.good_rate)), connectNulls: true },
      { name: '差评率', type: 'line', data: months.map((m) => rate(m.bad_rate)), connectNulls: true },
      { name: '未评率', type: 'line', data: months.map((m) => rate(m.unrated_rate)), connectNulls: true },
    ],
  };
  return (
    <ChartCard
      id="trend"
      title="评价趋势（按月）"
      label="按月的好评率、差评率、未评率趋势图，数据见右表"
      option={option}
      rows={months}
      rowKey="month"
      columns={[
            { title: '月份', dataIndex: 'month' },
            { title: '评价数', dataIndex: 'reviews' },
            { title: '好评率', dataIndex: 'good_rate', render: pct },
            { title: '差评率', dataIndex: 'bad_rate', render: pct },
            { title: '未评率', dataIndex: 'unrated_rate', render: pct },
      ]}
    />
  );
}

function OfficesCard({ data }: { data: Stats }) {
  const offices = data.offices as Office[];
  const option: EChartsOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    color: RATE_COLORS,
    grid: { left: 40, right: 16, top: 36, bottom: 60 },
    xAxis: { type: 'category', data: offices.map((o) => o.name ?? o.office_id ?? ''), axisLabel: { interval: 0, width: 90, overflow: 'break' } },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: '好评率', type: 'bar', data: offices.map((o) => rate(o.good_rate)) },
      { name: '差评率', type: 'bar', data: offices.map((o) => rate(o.bad_rate)) },
    ],
  };
  return (
    <ChartCard<Office>
      id="offices"
      title="各单位对比"
      label="各单位好评率与差评率柱状图，数据见右表"
      option={option}
      rows={offices}
      rowKey={(o) => o.office_id ?? ''}
      columns={[
            { title: '单位', dataIndex: 'name' },
            { title: '评价数', dataIndex: 'reviews' },
            { title: '好评率', dataIndex: 'good_rate', render: pct },
            { title: '差评率', dataIndex: 'bad_rate', render: pct },
            { title: '未评率', dataIndex: 'unrated_rate', render: pct },
      ]}
    />
  );
}

function TicketsCard({ data }: { data: Stats }) {
  const offices = data.offices as Office[];
  const c = (o: Figures, k: string) => Number((o.counts as Record<string, number>)[k] ?? 0);
  const pending = (o: Figures) => Math.max(c(o, 'tickets') - c(o, 'replied'), 0);
  const inWork = (o: Figures) => Math.max(c(o, 'valid') - c(o, 'rectified'), 0);
  const option: EChartsOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    color: TICKET_COLORS,
    grid: { left: 40, right: 48, top: 36, bottom: 60 },
    xAxis: { type: 'category', data: offices.map((o) => o.name ?? ''), axisLabel: { interval: 0, width: 90, overflow: 'break' } },
    yAxis: [{ type: 'value', name: '工单', minInterval: 1 }, { type: 'value', name: '按时率', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }],
    series: [
      { name: '待核实', type: 'bar', stack: 't', data: offices.map(pending) },
      { name: '整改中', type: 'bar', stack: 't', data: offices.map(inWork) },
      { name: '已整改', type: 'bar', stack: 't', data: offices.map((o) => c(o, 'rectified')) },
      { name: '已解释', type: 'bar', stack: 't', data: offices.map((o) => c(o, 'explained')) },
      { name: '按时办结率', type: 'line', yAxisIndex: 1, data: offices.map((o) => rate(o.on_time_rate)) },
    ],
  };
  return (
    <ChartCard<Office>
      id="tickets"
      title="差评工单状态与按时率"
      label="各单位差评工单状态与按时办结率图，数据见右表"
      option={option}
      rows={offices}
      rowKey={(o) => o.office_id ?? ''}
      columns={[
            { title: '单位', dataIndex: 'name' },
            { title: '工单', render: (_: unknown, o: Office) => c(o, 'tickets') },
            { title: '待核实', render: (_: unknown, o: Office) => pending(o) },
            { title: '已整改', render: (_: unknown, o: Office) => c(o, 'rectified') },
            { title: '已解释', render: (_: unknown, o: Office) => c(o, 'explained') },
            { title: '按时率', dataIndex: 'on_time_rate', render: pct },
            { title: '满意率', dataIndex: 'satisfaction_rate', render: pct },
      ]}
    />
  );
}

export function DashboardPage() {
  const provincial = useIsProvincial();
  const [filters, setFilters] = useFilters(lastTwelveMonths());
  const trend = useStats(filters, 'month');
  const totals = trend; // the grouped answer carries the period's totals and offices as well
  const error = trend.error;
  const t = totals.data;
  return (
    <>
      <PageHeader
        title={provincial && !filters.city ? '统计分析（全省）' : `统计分析（${cityName(filters.city)}）`.replace('（—）', '')}
        extra={
          <Button
            disabled={!trend.data || !totals.data}
            onClick={() => downloadCsv(`评价统计-${inShanghai(new Date()).format('YYYYMMDD')}.csv`, statsCsv(trend.data, totals.data))}
          >
            导出统计 CSV
          </Button>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <FilterBar value={filters} onChange={(f) => setFilters(f.from && f.to ? f : { ...f, ...lastTwelveMonths() })} />
      </Card>
      {error ? <ErrorState error={error} onRetry={() => trend.refetch()} /> : null}
      {trend.isPending ? <Loading label="正在加载统计…" rows={8} /> : null}
      {t ? (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Card size="small">
            <Space size={32} wrap aria-label="期间合计">
              <Typography.Text>评价 <strong>{t.reviews}</strong></Typography.Text>
              <Typography.Text>好评率 <strong>{pct(t.good_rate) || '—'}</strong></Typography.Text>
              <Typography.Text>差评率 <strong>{pct(t.bad_rate) || '—'}</strong></Typography.Text>
              <Typography.Text>未评率 <strong>{pct(t.unrated_rate) || '—'}</strong></Typography.Text>
              <Typography.Text>整改率 <strong>{pct(t.rectification_rate) || '—'}</strong></Typography.Text>
              <Typography.Text>按时率 <strong>{pct(t.on_time_rate) || '—'}</strong></Typography.Text>
              <Typography.Text type="secondary">申诉成立不计入 {(t.counts as Record<string, number>).excluded ?? 0} 条</Typography.Text>
              <Typography.Text type="secondary" data-as-of={t.as_of}>
                数据截至 {formatDateTime(t.as_of)}
              </Typography.Text>
            </Space>
          </Card>
          {t.reviews === 0 && !trend.data?.months?.some((m) => m.reviews) ? <EmptyState description="该期间没有评价" /> : null}
          {trend.data ? <TrendCard data={trend.data} /> : null}
          <OfficesCard data={t} />
          <TicketsCard data={t} />
        </Space>
      ) : null}
    </>
  );
}
