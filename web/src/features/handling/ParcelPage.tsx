/**
 * One consolidated parcel (合包): waybill, pair, collection day, sealed and arrived at, its tracking events, and
 * its handover list (交接单). Staff of the receiving office check the contents against the list: sign for all
 * cases not checked yet, for the ones selected, or mark one missing from the parcel (缺件: its materials are
 * sent again alone, the applicant is told). The list prints from here.
 */
import { Button, Card, Descriptions, Input, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { EventList } from '@/components/EventList';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState, Loading } from '@/components/PageState';
import { useApiMutation } from '@/hooks/useApiMutation';
import { HANDOVER_STATE_LABELS, PARCEL_STATUS_LABELS, parcelKeys, useParcel, type HandoverItem } from '@/hooks/useParcel';
import { useMatterName, useOfficeName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import { useAuthValue } from '@/lib/auth/context';
import { formatDate, formatDateTime } from '@/lib/dates';
import { parcelEventLabel, parcelKindLabel } from '@/lib/labels';

const STATE_COLORS: Record<HandoverItem['state'], string> = { PACKED: 'default', SIGNED: 'success', MISSING: 'error' };

export function ParcelPage() {
  const { parcelId = '' } = useParams();
  const auth = useAuthValue();
  const parcel = useParcel(parcelId);
  const officeName = useOfficeName();
  const matterName = useMatterName();
  const [selected, setSelected] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const path = { params: { path: { parcel_id: parcelId } } };
  const reload = [parcelKeys.all, ['case']];
  const sign = useApiMutation({
    mutationFn: (caseNos: string[] | undefined) =>
      call(api().POST('/parcels/{parcel_id}/sign', { ...path, body: caseNos ? { case_nos: caseNos, note } : { note } })),
    reload,
    successMessage: '已按交接单签收',
    onSuccess: () => setSelected([]),
  });
  const missing = useApiMutation({
    mutationFn: (caseNo: string) =>
      call(api().POST('/parcels/{parcel_id}/missing', { ...path, body: { case_no: caseNo, note: note || '包内未见该件材料' } })),
    reload,
    successMessage: '已登记缺件，收件窗口将单独重寄，申请人将收到通知',
  });
  if (parcel.isPending) return <Loading label="正在加载合包…" />;
  if (parcel.isError) return <ErrorState error={parcel.error} />;
  const p = parcel.data;
  const receiver = auth.identity?.officeId === p.to_office_id;
  const checkable = receiver && (p.status === 'SEALED' || p.status === 'ARRIVED');
  const unchecked = p.items.filter((i) => i.state === 'PACKED').length;
  const columns: ColumnsType<HandoverItem> = [
    { title: '序号', key: 'n', render: (_: unknown, __: HandoverItem, index: number) => index + 1 },
    { title: '办件编号', dataIndex: 'case_no', render: (no: string) => <Link to={`/handling/cases/${no}`}>{no}</Link> },
    { title: '事项', dataIndex: 'matter_id', render: (id: string | null) => matterName(id) },
    { title: '申请人', dataIndex: 'applicant_name' },
    { title: '办件状态', dataIndex: 'status_label' },
    { title: '核对', dataIndex: 'state', render: (s: HandoverItem['state']) => <Tag color={STATE_COLORS[s]}>{HANDOVER_STATE_LABELS[s]}</Tag> },
    { title: '核对时间', dataIndex: 'checked_at', render: (t: string | null) => (t ? formatDateTime(t) : '—') },
  ];
  if (checkable && p.kind === 'MATERIALS') {
    columns.push({
      title: '操作',
      key: 'action',
      render: (_: unknown, item) =>
        item.state === 'PACKED' ? (
          <Popconfirm title={`确认 ${item.case_no} 的材料不在包内？`} okText="登记缺件" cancelText="取消" onConfirm={() => missing.mutate(item.case_no)}>
            <Button size="small" danger>缺件</Button>
          </Popconfirm>
        ) : null,
    });
  }
  return (
    <>
      <PageHeader
        title={`合包 ${p.parcel_id}`}
        extra={
          <Space>
            <Link to="/handling/parcels"><Button>返回合包列表</Button></Link>
            {p.waybill ? <Link to={`/handling/print/parcel/${p.parcel_id}`}><Button>打印交接单</Button></Link> : null}
          </Space>
        }
      />
      <Card size="small">
        <Descriptions size="small" column={3} bordered>
          <Descriptions.Item label="状态"><Tag>{PARCEL_STATUS_LABELS[p.status]}</Tag></Descriptions.Item>
          <Descriptions.Item label="类别">{parcelKindLabel(p.kind)}</Descriptions.Item>
          <Descriptions.Item label="运单号">{p.waybill ?? '封包后生成'}</Descriptions.Item>
          <Descriptions.Item label="寄出单位">{officeName(p.from_office_id)}</Descriptions.Item>
          <Descriptions.Item label="接收单位">{officeName(p.to_office_id)}</Descriptions.Item>
          <Descriptions.Item label="揽收日">{formatDate(p.collection_day)}（{formatDateTime(p.cutoff_at)} 截止）</Descriptions.Item>
          <Descriptions.Item label="封包时间">{p.sealed_at ? formatDateTime(p.sealed_at) : '—'}</Descriptions.Item>
          <Descriptions.Item label="到达时间">{p.arrived_at ? formatDateTime(p.arrived_at) : '—'}</Descriptions.Item>
          <Descriptions.Item label="件数">{p.case_count}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title="交接单" style={{ marginTop: 16 }}>
        {checkable ? (
          <Space style={{ marginBottom: 12 }} wrap>
            <Input aria-label="签收备注" placeholder="备注（可选）" value={note} onChange={(e) => setNote(e.target.value)} style={{ width: 260 }} />
            <Popconfirm title={`按交接单签收全部 ${unchecked} 件未核对的办件？`} okText="全部签收" cancelText="取消" onConfirm={() => sign.mutate(undefined)} disabled={!unchecked}>
              <Button type="primary" disabled={!unchecked} loading={sign.isPending}>全部签收</Button>
            </Popconfirm>
            <Button disabled={!selected.length} onClick={() => sign.mutate(selected)}>签收所选（{selected.length}）</Button>
          </Space>
        ) : null}
        {!receiver ? <Typography.Paragraph type="secondary">由接收单位按交接单逐件签收。</Typography.Paragraph> : null}
        <Table<HandoverItem>
          rowKey="case_no"
          size="small"
          columns={columns}
          dataSource={p.items}
          pagination={false}
          rowSelection={checkable ? {
            selectedRowKeys: selected,
            onChange: (keys) => setSelected(keys.map(String)),
            getCheckboxProps: (item) => ({ disabled: item.state !== 'PACKED', name: item.case_no }),
          } : undefined}
        />
      </Card>
      <Card size="small" title="寄递跟踪" style={{ marginTop: 16 }}>
        {p.events.length ? (
          <EventList label="寄递跟踪" items={p.events.map((e) => ({ key: `${e.event}-${e.at}`, content: `${formatDateTime(e.at)} ${parcelEventLabel(e.event)}` }))} />
        ) : <Typography.Text type="secondary">封包后由快递揽收</Typography.Text>}
      </Card>
    </>
  );
}
