/**
 * 合包交接: this office's consolidated parcels (one per office pair and collection day), outgoing and incoming,
 * by status: open until the 16:00 cut-off, sealed with one waybill, arrived. Opening one shows its handover
 * list (交接单) to sign against.
 */
import { Card, Segmented, Table, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router';
import { CursorPager } from '@/components/CursorPager';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState } from '@/components/PageState';
import { useCursorPages } from '@/hooks/useCursorPages';
import { PARCEL_STATUS_LABELS, useOfficeParcels, type ParcelDirection, type ParcelStatus, type ParcelSummary } from '@/hooks/useParcel';
import { useOfficeName } from '@/hooks/useReference';
import { useAuthValue } from '@/lib/auth/context';
import { formatDate, formatDateTime } from '@/lib/dates';
import { parcelKindLabel } from '@/lib/labels';

const STATUSES: ParcelStatus[] = ['OPEN', 'SEALED', 'ARRIVED'];

function ParcelTable({ officeId, direction, status }: { officeId: string; direction: ParcelDirection; status: ParcelStatus }) {
  const pages = useCursorPages();
  const officeName = useOfficeName();
  const parcels = useOfficeParcels(officeId, direction, status, pages.cursor);
  if (parcels.isError) return <ErrorState error={parcels.error} />;
  const columns: ColumnsType<ParcelSummary> = [
    { title: '合包编号', dataIndex: 'parcel_id', render: (id: string) => <Link to={`/handling/parcels/${id}`}>{id}</Link> },
    { title: '类别', dataIndex: 'kind', render: (kind: string) => parcelKindLabel(kind) },
    { title: '寄出 → 接收', key: 'pair', render: (_: unknown, p) => `${officeName(p.from_office_id)} → ${officeName(p.to_office_id)}` },
    { title: '揽收日', dataIndex: 'collection_day', render: (d: string) => formatDate(d) },
    { title: '件数', dataIndex: 'case_count' },
    { title: '运单号', dataIndex: 'waybill', render: (w: string | null) => w ?? <Typography.Text type="secondary">封包后生成</Typography.Text> },
    { title: '封包时间', dataIndex: 'sealed_at', render: (t: string | null) => (t ? formatDateTime(t) : '—') },
    { title: '状态', dataIndex: 'status', render: (s: ParcelStatus) => <Tag>{PARCEL_STATUS_LABELS[s]}</Tag> },
  ];
  return (
    <>
      <Table<ParcelSummary>
        rowKey="parcel_id"
        size="small"
        loading={parcels.isPending}
        columns={columns}
        dataSource={parcels.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: '暂无合包' }}
      />
      <CursorPager pages={pages} nextCursor={parcels.data?.next_cursor} />
    </>
  );
}

export function ParcelsPage() {
  const auth = useAuthValue();
  const officeId = auth.identity?.officeId ?? '';
  const [direction, setDirection] = useState<ParcelDirection>('incoming');
  const [status, setStatus] = useState<ParcelStatus>('ARRIVED');
  return (
    <>
      <PageHeader title="合包交接" />
      <Card size="small">
        <Typography.Paragraph type="secondary">
          同一寄出单位寄往同一接收单位的办件，每个揽收日（16:00 截止）合为一个包裹，凭交接单逐件签收。加急件单独寄递，不在合包中。
        </Typography.Paragraph>
        <Segmented<ParcelDirection>
          aria-label="寄出或收到"
          value={direction}
          onChange={setDirection}
          options={[{ label: '本单位收到', value: 'incoming' }, { label: '本单位寄出', value: 'outgoing' }]}
        />
        <Tabs
          activeKey={status}
          onChange={(key) => setStatus(key as ParcelStatus)}
          destroyOnHidden
          items={STATUSES.map((s) => ({
            key: s,
            label: PARCEL_STATUS_LABELS[s],
            children: <ParcelTable key={`${direction}-${s}`} officeId={officeId} direction={direction} status={s} />,
          }))}
        />
      </Card>
    </>
  );
}
