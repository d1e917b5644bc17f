/**
 * 办件办理: one case as the handling (or pickup) office sees it, with only the actions its state allows
 * (the API's next_actions): sign, return with what to fix, supplement, decide 准予/不予 with a note, ship the
 * result or hold it for pickup, hand over at pickup with the ID check recorded, re-ship a lost or returned
 * parcel; print the 交接单 and the waybill label of each parcel.
 */
import { Alert, Button, Card, Checkbox, Col, Descriptions, Form, Input, Popconfirm, Radio, Row, Select, Space, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { CaseTimeline } from '@/components/CaseTimeline';
import { LicenceMaterials, ResultLicence, RuleCheck } from '@/components/LicenceInfo';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState, Loading } from '@/components/PageState';
import { ParcelEvents } from '@/components/ParcelEvents';
import { StatusSteps } from '@/components/StatusSteps';
import { WorkdayTag } from '@/components/WorkdayTag';
import { useApiMutation } from '@/hooks/useApiMutation';
import { caseKeys, useCaseDetail, useCaseShipments, useCaseTimeline } from '@/hooks/useCase';
import { useMatterName, useOfficeName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';
import { useAuthValue } from '@/lib/auth/context';
import { formatDate } from '@/lib/dates';
import { deliveryLabel, ID_TYPE_LABELS, statusColor, statusLabel } from '@/lib/labels';
import { showFieldError } from './fieldErrors';

type Case = components['schemas']['Case'];
type Shipment = components['schemas']['Shipment'];

const LOST = new Set(['EXCEPTION', 'RETURNED_TO_SENDER', 'LOST']);

/** `inForm`: the action's form shows a 400's field error (showFieldError); an action without a form toasts it. */
function useCaseAction<TBody>(caseNo: string, path: string, success: string, inForm = true) {
  return useApiMutation<Case, TBody>({
    mutationFn: (body: TBody) =>
      // openapi-fetch types each path separately; the action paths share one shape ({case_no} + JSON body).
      call(api().POST(path as '/cases/{case_no}/sign', { params: { path: { case_no: caseNo } }, body: body as never })),
    reload: [[...caseKeys.all(caseNo)], ['queue']],
    successMessage: success,
    fieldErrorsInForm: inForm,
  });
}

function SignAction({ caseNo }: { caseNo: string }) {
  const sign = useCaseAction<Record<string, never>>(caseNo, '/cases/{case_no}/sign', '已签收材料，办件已受理', false);
  return (
    <Popconfirm title="确认材料已送达并签收？" okText="签收" cancelText="取消" onConfirm={() => sign.mutate({})}>
      <Button type="primary" loading={sign.isPending}>签收材料</Button>
    </Popconfirm>
  );
}

function ReturnAction({ caseNo }: { caseNo: string }) {
  const [form] = Form.useForm<{ reason: string }>();
  const ret = useCaseAction<{ reason: string }>(caseNo, '/cases/{case_no}/return', '已退回补正，申请人将收到通知');
  return (
    <Card size="small" title={<h2 className="kc-card-title">退回补正</h2>}>
      <Form form={form} layout="vertical" onFinish={(v) => ret.mutate(v, { onError: (e) => showFieldError(form, e, ['reason']) })}>
        <Form.Item name="reason" label="需要补正的内容" rules={[{ required: true, whitespace: true, message: '请写明需要补正什么' }]}>
          <Input.TextArea rows={2} maxLength={200} showCount placeholder="例如：申请表未签名，请补签" />
        </Form.Item>
        <Button htmlType="submit" danger loading={ret.isPending}>退回补正</Button>
      </Form>
    </Card>
  );
}

function SupplementAction({ data }: { data: Case }) {
  const [form] = Form.useForm<{ material: string }>();
  const supplement = useCaseAction<{ material: string }>(data.case_no, '/cases/{case_no}/supplements', '已登记补正材料');
  const options = (data.missing.length ? data.missing : data.materials.map((m) => m.name)).map((m) => ({ value: m, label: m }));
  return (
    <Card size="small" title={<h2 className="kc-card-title">登记补正材料</h2>}>
      <Form form={form} layout="vertical" onFinish={(v) => supplement.mutate(v, { onError: (e) => showFieldError(form, e, ['material']) })}>
        <Form.Item name="material" label="收到的材料" rules={[{ required: true, message: '请选择收到的材料' }]}>
          <Select options={options} placeholder="选择材料" />
        </Form.Item>
        <Button htmlType="submit" loading={supplement.isPending}>登记补正</Button>
      </Form>
    </Card>
  );
}

function DecideAction({ caseNo, blocked }: { caseNo: string; blocked: boolean }) {
  const [form] = Form.useForm<{ approved: boolean; note: string }>();
  const decide = useCaseAction<{ approved: boolean; note: string }>(caseNo, '/cases/{case_no}/decide', '已作出决定');
  return (
    <Card size="small" title={<h2 className="kc-card-title">作出决定</h2>}>
      {blocked ? <Alert type="warning" showIcon title="仍有容缺材料未补齐，补齐后才能作出决定。" style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(v) => decide.mutate({ approved: v.approved, note: v.note ?? '' }, { onError: (e) => showFieldError(form, e, ['approved', 'note']) })}>
        <Form.Item name="approved" label="决定" rules={[{ required: true, message: '请选择准予或不予' }]}>
          <Radio.Group options={[{ value: true, label: '准予' }, { value: false, label: '不予' }]} />
        </Form.Item>
        <Form.Item
          name="note"
          label="说明"
          dependencies={['approved']}
          rules={[({ getFieldValue }) => ({
            validator: (_, v: string | undefined) =>
              getFieldValue('approved') === false && !v?.trim() ? Promise.reject(new Error('不予时请写明理由')) : Promise.resolve(),
          })]}
        >
          <Input.TextArea rows={2} maxLength={500} showCount placeholder="准予可留空；不予请写明理由和依据" />
        </Form.Item>
        <Button htmlType="submit" type="primary" disabled={blocked} loading={decide.isPending}>提交决定</Button>
      </Form>
    </Card>
  );
}

function ShipResultAction({ data }: { data: Case }) {
  const mail = data.delivery.method === 'MAIL';
  const toReceiving = data.delivery.method === 'PICKUP_RECEIVING';
  const electronic = data.delivery.method === 'ELECTRONIC';
  const ship = useCaseAction<Record<string, never>>(data.case_no, '/cases/{case_no}/ship-result',
    electronic ? '已发放电子证照，办件已办结'
      : mail ? '结果已交寄，正在寄往申请人' : toReceiving ? '结果已寄往收件窗口待领取' : '结果已留存本窗口待领取',
    false);
  const label = electronic ? '发放电子证照（免寄递）'
    : mail ? '寄出结果（邮寄到家）' : toReceiving ? '寄往收件窗口待领取' : '留存待领取（本窗口）';
  return (
    <Popconfirm title={`确认${label}？`} okText="确认" cancelText="取消" onConfirm={() => ship.mutate({})}>
      <Button type="primary" loading={ship.isPending}>{label}</Button>
    </Popconfirm>
  );
}

function PickupAction({ data }: { data: Case }) {
  const [form] = Form.useForm<{ checked: boolean; note: string }>();
  const pickup = useCaseAction<{ note: string }>(data.case_no, '/cases/{case_no}/pickup', '已完成领取交接，办件已办结');
  const idType = ID_TYPE_LABELS[data.applicant.id_type as keyof typeof ID_TYPE_LABELS] ?? data.applicant.id_type;
  return (
    <Card size="small" title={<h2 className="kc-card-title">领取交接</h2>}>
      <Descriptions size="small" column={1} items={[
        { key: 'n', label: '申请人', children: data.applicant.name },
        { key: 'i', label: '证件', children: `${idType} ${data.applicant.id_number}` },
      ]} />
      <Typography.Paragraph type="secondary">请核对领取人所持证件与上方信息（已隐去部分号码）一致后交付结果。</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => pickup.mutate({ note: `已当面核验${idType}原件，与登记信息一致。${v.note ? ` ${v.note}` : ''}` }, { onError: (e) => showFieldError(form, e, ['note']) })}
      >
        <Form.Item name="checked" valuePropName="checked" rules={[{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error('请先核验领取人证件'))) }]}>
          <Checkbox>已当面核验领取人证件原件，与登记信息一致</Checkbox>
        </Form.Item>
        <Form.Item name="note" label="备注（可选）">
          <Input maxLength={200} placeholder="例如：本人领取" />
        </Form.Item>
        <Button htmlType="submit" type="primary" loading={pickup.isPending}>确认交接</Button>
      </Form>
    </Card>
  );
}

function ReshipAction({ caseNo }: { caseNo: string }) {
  const [form] = Form.useForm<{ note: string }>();
  const reship = useCaseAction<{ note: string }>(caseNo, '/cases/{case_no}/reship', '已重新寄递');
  return (
    <Card size="small" title={<h2 className="kc-card-title">重新寄递</h2>}>
      <Form form={form} layout="vertical" onFinish={(v) => reship.mutate({ note: v.note ?? '' }, { onError: (e) => showFieldError(form, e, ['note']) })}>
        <Form.Item name="note" label="原因">
          <Input maxLength={200} placeholder="例如：快递丢失" />
        </Form.Item>
        <Button htmlType="submit" loading={reship.isPending}>重新寄递</Button>
      </Form>
    </Card>
  );
}

function PrintLinks({ caseNo, leg }: { caseNo: string; leg: Shipment }) {
  return (
    <Space wrap>
      <Link to={`/handling/print/handover/${caseNo}/${leg.waybill}`}>打印交接单（{leg.waybill}）</Link>
      <Link to={`/handling/print/label/${caseNo}/${leg.waybill}`}>打印运单标签（{leg.waybill}）</Link>
    </Space>
  );
}

export function HandlingCasePage() {
  const { caseNo = '' } = useParams();
  const auth = useAuthValue();
  const officeId = auth.identity?.officeId ?? '';
  const detail = useCaseDetail(caseNo);
  const timeline = useCaseTimeline(caseNo);
  const legs = useCaseShipments(caseNo);
  const matterName = useMatterName();
  const officeName = useOfficeName();
  if (detail.isPending) return <Loading label="正在加载办件…" />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => detail.refetch()} />;
  const data = detail.data;
  const can = new Set(data.next_actions);
  const current = (legs.data ?? []).filter((l) => !l.superseded_by);
  const reshippable = current.some((l) => l.from_office_id === officeId && (l.overdue || LOST.has(l.status)));
  const actions = [
    can.has('sign') ? <SignAction key="sign" caseNo={caseNo} /> : null,
    can.has('ship_result') ? <ShipResultAction key="ship" data={data} /> : null,
  ].filter(Boolean);
  return (
    <>
      <PageHeader
        title={`办件 ${data.case_no}`}
        crumbs={[{ path: '/handling/inbox', title: '办理工作台' }, { title: data.case_no }]}
        extra={<Tag color={statusColor(data.status)}>{statusLabel(data.status)}</Tag>}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small"><StatusSteps status={data.status} /></Card>
            <Card size="small" title={<h2 className="kc-card-title">办件信息</h2>}>
              <Descriptions size="small" column={2} items={[
                { key: 'm', label: '事项', children: matterName(data.matter_id) },
                { key: 'r', label: '收件窗口', children: officeName(data.receiving_office_id) },
                { key: 'h', label: '办理部门', children: officeName(data.handling_office_id) },
                { key: 'a', label: '申请人', children: `${data.applicant.name}（${data.applicant.id_number}）` },
                { key: 'd', label: '结果送达', children: deliveryLabel(data.delivery.method) },
                { key: 'p', label: '承诺办结', children: data.promised_by ? <Space>{formatDate(data.promised_by)}{data.overdue ? <Tag color="error">已超期</Tag> : null}</Space> : '受理后起算' },
                { key: 'x', label: '材料', span: 2, children: data.materials.map((m) => (
                  <Tag key={m.name} color={data.missing.includes(m.name) ? 'warning' : m.provided ? 'success' : 'default'}>
                    {m.name}{data.missing.includes(m.name) ? '（容缺待补）' : ''}{m.source === 'licence' ? '（电子证照）' : ''}
                  </Tag>
                )) },
                ...(data.return_reason ? [{ key: 'rr', label: '退回原因', span: 2, children: data.return_reason }] : []),
                ...(data.decision ? [{ key: 'dc', label: '决定', span: 2, children: data.decision === 'APPROVED' ? '准予' : '不予' }] : []),
              ]} />
            </Card>
            {data.rule_check || data.result_licence || data.materials.some((m) => m.source === 'licence') ? (
              <Card size="small" title={<h2 className="kc-card-title">电子证照与秒批</h2>}>
                <RuleCheck check={data.rule_check} />
                <LicenceMaterials data={data} />
                <ResultLicence licence={data.result_licence} />
              </Card>
            ) : null}
            <Card size="small" title={<h2 className="kc-card-title">寄递</h2>}>
              {legs.isError ? <ErrorState error={legs.error} onRetry={() => legs.refetch()} /> : (
                <Space direction="vertical" style={{ width: '100%' }}>
                  <ParcelEvents parcels={legs.data ?? []} officeName={officeName} parcelHref={(id) => `/handling/parcels/${id}`} />
                  {current.map((leg) => <PrintLinks key={leg.waybill} caseNo={caseNo} leg={leg} />)}
                </Space>
              )}
            </Card>
            <Card size="small" title={<h2 className="kc-card-title">办理记录</h2>}>
              {timeline.isError ? <ErrorState error={timeline.error} /> : <CaseTimeline events={timeline.data ?? []} />}
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={9}>
          <Space direction="vertical" size={16} style={{ width: '100%' }} aria-label="可办理的操作">
            {actions.length ? <Card size="small" title={<h2 className="kc-card-title">操作</h2>}><Space wrap>{actions}</Space></Card> : null}
            {can.has('decide') ? <DecideAction caseNo={caseNo} blocked={data.missing.length > 0} /> : null}
            {can.has('return') ? <ReturnAction caseNo={caseNo} /> : null}
            {can.has('supplement') && (data.status === 'RETURNED' || data.missing.length > 0) ? <SupplementAction data={data} /> : null}
            {can.has('pickup') ? <PickupAction data={data} /> : null}
            {can.has('reship') && reshippable ? <ReshipAction caseNo={caseNo} /> : null}
            {data.promised_by && !data.completed_at ? (
              <Card size="small"><Typography.Text>办结期限：</Typography.Text><WorkdayTag left={data.working_days_left} deadline={data.promised_by} /></Card>
            ) : null}
            {!data.next_actions.length ? <Alert type="info" showIcon title="当前状态下本窗口无需操作。" /> : null}
          </Space>
        </Col>
      </Row>
    </>
  );
}
