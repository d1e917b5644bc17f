/**
 * A case at the receiving window: check the materials and receive (a missing core material cannot be received:
 * refuse with the reason; a missing non-core one is 容缺 with a supplement deadline), refuse, forward, re-ship a
 * lost or returned parcel, record a supplement, and print the window's documents.
 */
import { Alert, Button, Checkbox, Col, Descriptions, Form, Input, Row, Space, Table, Tag } from 'antd';
import { Panel } from '@/components/Panel';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { CaseTimeline } from '@/components/CaseTimeline';
import { CountdownTag } from '@/components/CountdownTag';
import { LicenceMaterials } from '@/components/LicenceInfo';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState, Loading } from '@/components/PageState';
import { StatusSteps } from '@/components/StatusSteps';
import { useApiMutation } from '@/hooks/useApiMutation';
import { caseKeys, useCaseDetail, useCaseShipments, useCaseTimeline } from '@/hooks/useCase';
import { useMatterName, useMatters, useOfficeName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';
import type { components } from '@/lib/api/schema';
import { formatDate, formatDateTime } from '@/lib/dates';
import { deliveryLabel, materialKindLabel, parcelEventLabel, parcelKindLabel, statusColor, statusLabel } from '@/lib/labels';

type CaseView = components['schemas']['Case'];
type Shipment = components['schemas']['Shipment'];

function RefuseForm({ caseNo, initialReason, onDone }: { caseNo: string; initialReason?: string; onDone?: () => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const refuse = useApiMutation({
    mutationFn: (reason: string) => call(api().POST('/cases/{case_no}/refuse', { params: { path: { case_no: caseNo } }, body: { reason } })),
    reload: [caseKeys.all(caseNo), ['queue']],
    successMessage: '已作出不予收件，可打印不予收件通知',
    onSuccess: () => onDone?.(),
  });
  return (
    <Form form={form} layout="vertical" name="refuse" initialValues={{ reason: initialReason }} onFinish={(v) => refuse.mutate(v.reason.trim())}>
      <Form.Item name="reason" label="不予收件原因（将告知申请人）" rules={[{ required: true, whitespace: true, message: '请填写不予收件的原因' }]}>
        <Input.TextArea maxLength={2000} autoSize={{ minRows: 2 }} />
      </Form.Item>
      <Button danger htmlType="submit" loading={refuse.isPending}>不予收件</Button>
    </Form>
  );
}

function ReceivePanel({ c }: { c: CaseView }) {
  const matters = useMatters();
  const matter = matters.data?.find((m) => m.matter_id === c.matter_id);
  const materials = matter?.materials ?? c.materials.map((m) => ({ name: m.name, core: m.core }));
  const initiallyMissing = c.materials.filter((m) => !m.provided).map((m) => m.name);
  const [missing, setMissing] = useState<string[]>(initiallyMissing);
  const [note, setNote] = useState('');
  const coreMissing = materials.filter((m) => m.core && missing.includes(m.name)).map((m) => m.name);
  const nonCoreMissing = materials.filter((m) => !m.core && missing.includes(m.name)).map((m) => m.name);
  const receive = useApiMutation({
    mutationFn: () => call(api().POST('/cases/{case_no}/receive', { params: { path: { case_no: c.case_no } }, body: { missing, note } })),
    reload: [caseKeys.all(c.case_no), ['queue']],
    successMessage: (r) => (r.missing.length ? `已容缺收件，补正期限 ${formatDate(r.supplement_due)}` : '已收件'),
  });
  return (
    <Panel size="small" title={<h2 className="kc-card-title">核对材料并收件</h2>}>
      <fieldset className="kc-fieldset">
        <legend>勾选缺少的材料</legend>
        {materials.map((m) => (
          <div key={m.name} className="kc-material-item">
            <Checkbox
              checked={missing.includes(m.name)}
              onChange={(e) => setMissing((prev) => (e.target.checked ? [...prev, m.name] : prev.filter((x) => x !== m.name)))}
            >
              缺少「{m.name}」 <Tag color={m.core ? 'error' : 'warning'}>{materialKindLabel(m.core)}</Tag>
            </Checkbox>
          </div>
        ))}
      </fieldset>
      {coreMissing.length ? (
        <Alert
          type="error"
          showIcon
          className="kc-step-note"
          title={`缺少必要材料（${coreMissing.join('、')}），不能收件`}
          description={<RefuseForm caseNo={c.case_no} initialReason={`缺少必要材料：${coreMissing.join('、')}。请备齐后重新申请。`} />}
        />
      ) : (
        <>
          {nonCoreMissing.length ? (
            <Alert
              type="warning"
              showIcon
              className="kc-step-note"
              title={`容缺受理：${nonCoreMissing.join('、')}`}
              description="申请人书面承诺后可先收件；补正期限为收件后 5 个工作日，收件后显示具体日期，并打印一次性告知书交申请人。"
            />
          ) : null}
          <Form layout="vertical">
            <Form.Item label="收件备注（选填）" htmlFor="receive-note">
              <Input.TextArea id="receive-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} autoSize={{ minRows: 1 }} />
            </Form.Item>
          </Form>
          <Button type="primary" onClick={() => receive.mutate()} loading={receive.isPending}>
            {nonCoreMissing.length ? '容缺收件' : '收件'}
          </Button>
          {receive.error instanceof ApiError && receive.error.status === 422 ? (
            <Alert type="error" className="kc-step-note" title={<span role="alert">{receive.error.message}</span>} />
          ) : null}
        </>
      )}
    </Panel>
  );
}

function SupplementPanel({ c }: { c: CaseView }) {
  const supplement = useApiMutation({
    mutationFn: (material: string) => call(api().POST('/cases/{case_no}/supplements', { params: { path: { case_no: c.case_no } }, body: { material } })),
    reload: [caseKeys.all(c.case_no), ['queue']],
    successMessage: '已记录补交',
  });
  return (
    <Panel size="small" title={<h2 className="kc-card-title">待补齐材料</h2>}>
      <Space orientation="vertical">
        <span>补正期限：{formatDate(c.supplement_due)} <CountdownTag deadline={c.supplement_due} /></span>
        <Space wrap>
          {c.missing.map((m) => (
            <Button key={m} onClick={() => supplement.mutate(m)} loading={supplement.isPending && supplement.variables === m}>
              登记已补交「{m}」
            </Button>
          ))}
        </Space>
      </Space>
    </Panel>
  );
}

function ParcelsPanel({ caseNo, parcels, officeId }: { caseNo: string; parcels: Shipment[]; officeId: string }) {
  const officeName = useOfficeName();
  const reship = useApiMutation({
    mutationFn: (waybill: string) => call(api().POST('/cases/{case_no}/reship', { params: { path: { case_no: caseNo } }, body: { waybill } })),
    reload: [caseKeys.all(caseNo)],
    successMessage: '已重新寄递',
  });
  return (
    <Panel size="small" title={<h2 className="kc-card-title">寄递</h2>}>
      <Table<Shipment>
        rowKey="waybill"
        size="small"
        pagination={false}
        dataSource={parcels}
        locale={{ emptyText: <span className="kc-empty-text">暂无寄递</span> }}
        columns={[
          { title: '运单号', dataIndex: 'waybill' },
          { title: '类型', dataIndex: 'kind', render: (k: string) => parcelKindLabel(k) },
          { title: '寄往', key: 'to', render: (_: unknown, s) => officeName(s.to_office_id) },
          { title: '状态', key: 'st', render: (_: unknown, s) => <Space size={4}>{parcelEventLabel(s.status)}{s.overdue ? <Tag color="error">超时</Tag> : null}{s.superseded_by ? <Tag>已改寄</Tag> : null}</Space> },
          { title: '预计送达', dataIndex: 'expected_arrival', render: (d: string) => formatDate(d) },
          {
            title: '操作', key: 'op', render: (_: unknown, s) =>
              s.from_office_id === officeId && !s.superseded_by && (s.overdue || ['EXCEPTION', 'RETURNED_TO_SENDER'].includes(s.status)) ? (
                <Button size="small" onClick={() => reship.mutate(s.waybill)} loading={reship.isPending}>重新寄递</Button>
              ) : null,
          },
        ]}
      />
    </Panel>
  );
}

export function WindowCasePage() {
  const { caseNo = '' } = useParams();
  const detail = useCaseDetail(caseNo);
  const timeline = useCaseTimeline(caseNo);
  const shipments = useCaseShipments(caseNo);
  const officeName = useOfficeName();
  const matterName = useMatterName();
  const forward = useApiMutation({
    mutationFn: () => call(api().POST('/cases/{case_no}/forward', { params: { path: { case_no: caseNo } }, body: {} })),
    reload: [caseKeys.all(caseNo), ['queue']],
    successMessage: '已转递到办理地',
  });
  // 电子证照库 was down at application: read the authorized licences again (refused without 授权).
  const readAgain = useApiMutation({
    mutationFn: (materials: string[]) =>
      call(api().POST('/cases/{case_no}/licences', { params: { path: { case_no: caseNo } }, body: { materials } })),
    reload: [caseKeys.all(caseNo), ['queue']],
    successMessage: (r) => (r.licence_unavailable.length ? `仍无法读取：${r.licence_unavailable.join('、')}` : '已从电子证照读取'),
  });
  const header = <PageHeader title={`办件 ${caseNo}`} crumbs={[{ path: '/window/queue', title: '收件工作台' }, { title: caseNo }]} />;
  if (detail.isPending) return (<>{header}<Loading /></>);
  if (detail.isError) return (<>{header}<ErrorState error={detail.error} onRetry={() => detail.refetch()} /></>);
  const c = detail.data;
  const can = (a: string) => c.next_actions.includes(a);
  const received = !['SUBMITTED', 'REFUSED', 'WITHDRAWN'].includes(c.status);

  return (
    <>
      {header}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Panel size="small">
              <Descriptions
                size="small"
                column={2}
                items={[
                  { key: 's', label: '状态', children: <Tag color={statusColor(c.status)}>{statusLabel(c.status)}</Tag> },
                  { key: 'm', label: '事项', children: matterName(c.matter_id) },
                  { key: 'a', label: '申请人', children: `${c.applicant.name}（${c.applicant.id_number}）` },
                  { key: 'p', label: '手机', children: c.applicant.phone },
                  { key: 'h', label: '办理部门', children: officeName(c.handling_office_id) },
                  { key: 'd', label: '结果送达', children: deliveryLabel(c.delivery.method) },
                  { key: 'pr', label: '承诺办结', children: c.promised_by ? <>{formatDate(c.promised_by)} <CountdownTag deadline={c.promised_by} /></> : '—' },
                  { key: 'c', label: '申请时间', children: formatDateTime(c.created_at) },
                ]}
              />
              <StatusSteps status={c.status} compact />
              <LicenceMaterials data={c} />
              {can('read_licences') && c.licence_unavailable.length ? (
                <Button onClick={() => readAgain.mutate(c.licence_unavailable)} loading={readAgain.isPending}>重新读取电子证照</Button>
              ) : null}
              {c.refusal_reason ? <Alert type="error" showIcon title="不予收件原因" description={c.refusal_reason} /> : null}
              <Space wrap className="kc-case-actions">
                {can('forward') ? <Button type="primary" onClick={() => forward.mutate()} loading={forward.isPending}>转递到办理地</Button> : null}
                {received ? <Link to={`/window/print/receipt/${c.case_no}`}>打印收件回执</Link> : null}
                {received && c.missing.length ? <Link to={`/window/print/notice/${c.case_no}`}>打印一次性告知书</Link> : null}
                {c.status === 'REFUSED' ? <Link to={`/window/print/refusal/${c.case_no}`}>打印不予收件通知</Link> : null}
              </Space>
            </Panel>
            {can('receive') ? <ReceivePanel c={c} /> : null}
            {can('refuse') ? (
              <Panel size="small" title={<h2 className="kc-card-title">不予收件</h2>}>
                <RefuseForm caseNo={c.case_no} />
              </Panel>
            ) : null}
            {c.missing.length && can('supplement') ? <SupplementPanel c={c} /> : null}
            <ParcelsPanel caseNo={c.case_no} parcels={shipments.data ?? []} officeId={c.receiving_office_id} />
          </Space>
        </Col>
        <Col xs={24} xl={10}>
          <Panel size="small" title={<h2 className="kc-card-title">办理记录</h2>}>
            {timeline.isError ? <ErrorState error={timeline.error} onRetry={() => timeline.refetch()} /> : <CaseTimeline events={timeline.data ?? []} />}
          </Panel>
        </Col>
      </Row>
    </>
  );
}
