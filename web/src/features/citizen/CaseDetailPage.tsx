/**
 * The citizen's case: what tracking shows, plus their own details and the actions the case's state allows them
 * (withdraw, supplement a missing material, rate each stage, follow up on a review).
 */
import { Alert, Button, Descriptions, Form, Radio, Space } from 'antd';
import { Panel } from '@/components/Panel';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CaseProgress } from '@/components/CaseProgress';
import { LicenceMaterials, ResultLicence, RuleCheck } from '@/components/LicenceInfo';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState, Loading } from '@/components/PageState';
import { useApiMutation } from '@/hooks/useApiMutation';
import { caseKeys, useCaseDetail, useCaseShipments, useCaseTimeline } from '@/hooks/useCase';
import { useOfficeName } from '@/hooks/useReference';
import { api, call } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import { maskMobile } from '@/lib/idNumber';
import { cityName, deliveryLabel } from '@/lib/labels';
import { ReviewPanel } from './ReviewPanel';

function SupplementForm({ caseNo, missing }: { caseNo: string; missing: string[] }) {
  const [form] = Form.useForm<{ material: string }>();
  const supplement = useApiMutation({
    mutationFn: (material: string) =>
      call(api().POST('/cases/{case_no}/supplements', { params: { path: { case_no: caseNo } }, body: { material } })),
    reload: [caseKeys.all(caseNo), ['my-cases']],
    successMessage: (c) => (c.missing.length ? `已补交，尚缺：${c.missing.join('、')}` : '材料已补齐'),
    onSuccess: () => form.resetFields(),
  });
  return (
    <Form form={form} layout="vertical" name="supplement" initialValues={{ material: missing[0] }} onFinish={(v) => supplement.mutate(v.material)}>
      <Form.Item name="material" label="补交的材料" rules={[{ required: true, message: '请选择补交的材料' }]}>
        <Radio.Group aria-label="补交的材料" options={missing.map((m) => ({ value: m, label: m }))} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={supplement.isPending}>确认补交</Button>
    </Form>
  );
}

/**
 * Asks once more before withdrawing, in the page rather than in a modal dialog (lighter on a phone, and read in
 * order by a screen reader): focus moves to the question.
 */
function WithdrawConfirm({ pending, onConfirm, onCancel }: { pending: boolean; onConfirm: () => void; onCancel: () => void }) {
  const box = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <section ref={box} tabIndex={-1} className="kc-confirm" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title" className="kc-card-title">撤回这件申请？</h2>
      <p>撤回后办件结束，如需办理须重新申请。</p>
      <Space wrap>
        <Button danger type="primary" loading={pending} onClick={onConfirm}>确认撤回</Button>
        <Button onClick={onCancel}>不撤回</Button>
      </Space>
    </section>
  );
}

export function CaseDetailPage() {
  const { caseNo = '' } = useParams();
  const detail = useCaseDetail(caseNo);
  const timeline = useCaseTimeline(caseNo);
  const shipments = useCaseShipments(caseNo);
  const officeName = useOfficeName();
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const withdraw = useApiMutation({
    mutationFn: () => call(api().POST('/cases/{case_no}/withdraw', { params: { path: { case_no: caseNo } }, body: {} })),
    reload: [caseKeys.all(caseNo), ['my-cases']],
    successMessage: '申请已撤回',
    onSettled: () => setConfirmWithdraw(false),
  });

  const header = <PageHeader title="办件详情" crumbs={[{ path: '/citizen/cases', title: '我的办件' }, { title: caseNo }]} />;
  if (detail.isPending) return (<>{header}<Loading label="正在加载办件…" /></>);
  if (detail.isError) return (<>{header}<ErrorState error={detail.error} onRetry={() => detail.refetch()} /></>);
  const c = detail.data;
  const can = (action: string) => c.next_actions.includes(action);
  const queryCode = (c as { query_code?: string }).query_code;

  return (
    <>
      {header}
      <CaseProgress
        caseNo={c.case_no}
        status={c.status}
        matterId={c.matter_id}
        promisedBy={c.promised_by}
        missing={c.missing}
        supplementDue={c.supplement_due}
        reasons={c as never}
        timeline={timeline.data ?? []}
        parcels={shipments.data ?? []}
      >
        <Space wrap className="kc-case-actions">
          {can('withdraw') && !confirmWithdraw ? <Button danger onClick={() => setConfirmWithdraw(true)}>撤回申请</Button> : null}
          {queryCode ? (
            <Link to={`/track?case_no=${c.case_no}&code=${queryCode}`}>免登录查询链接</Link>
          ) : null}
        </Space>
      </CaseProgress>
      <LicenceMaterials data={c} />
      <ResultLicence licence={c.result_licence} />
      {c.rule_check?.outcome === 'approved' ? <RuleCheck check={c.rule_check} /> : null}
      {confirmWithdraw && can('withdraw') ? (
        <WithdrawConfirm pending={withdraw.isPending} onConfirm={() => withdraw.mutate()} onCancel={() => setConfirmWithdraw(false)} />
      ) : null}
      {timeline.isError || shipments.isError ? (
        <Alert
          type="warning"
          showIcon
          title="部分信息加载失败"
          description={<span role="alert">办理记录或寄递信息暂时无法显示（{errorMessage(timeline.error ?? shipments.error)}），请稍后刷新。</span>}
        />
      ) : null}
      {can('supplement') && c.missing.length ? (
        <Panel size="small" title={<h2 className="kc-card-title">补交材料</h2>} className="kc-section-card">
          <p>把缺少的材料交到收件窗口（{officeName(c.receiving_office_id)}）后，在这里确认补交。</p>
          <SupplementForm caseNo={c.case_no} missing={c.missing} />
        </Panel>
      ) : null}
      <div className="kc-section-card">
        <ReviewPanel caseNo={c.case_no} status={c.status} />
      </div>
      <Panel size="small" title={<h2 className="kc-card-title">申请信息</h2>} className="kc-section-card">
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2 }}
          items={[
            { key: 'q', label: '查询码', children: queryCode ?? '—' },
            { key: 'recv', label: '收件窗口', children: officeName(c.receiving_office_id) },
            { key: 'hand', label: '办理部门', children: c.handling_office_id ? officeName(c.handling_office_id) : `${cityName(c.handling_city)}（转递后确定）` },
            { key: 'who', label: '申请人', children: c.applicant.name },
            { key: 'phone', label: '手机', children: maskMobile(c.applicant.phone) },
            { key: 'del', label: '结果送达', children: deliveryLabel(c.delivery.method) },
            { key: 'mat', label: '已交材料', children: c.materials.filter((m) => m.provided).map((m) => m.name).join('、') || '—' },
          ]}
        />
      </Panel>
    </>
  );
}
