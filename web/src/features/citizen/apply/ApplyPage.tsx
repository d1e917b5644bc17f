/**
 * 在线申请: one small question per step (GOV.UK's pattern) — matter → window → applicant → materials → delivery
 * → check your answers → submit. Answers are checked when the person asks to continue (not while typing, so
 * nothing moves under their pointer); an error summary at the top links to each field in error. The submission
 * carries an Idempotency-Key that a retry reuses, so a double click or a lost answer never makes two cases.
 */
import { Alert, Button, Checkbox, Descriptions, Flex, Form, Grid, Radio, Space, Tag } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApplicantFields } from '@/components/ApplicantFields';
import { DeliveryFields } from '@/components/DeliveryFields';
import { ErrorSummary, type FieldError } from '@/components/ErrorSummary';
import { CopyText } from '@/components/CopyText';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/PageHeader';
import { Steps } from '@/components/Steps';
import { ErrorState, Loading } from '@/components/PageState';
import { useApiMutation } from '@/hooks/useApiMutation';
import { useMatters, useOffices, type Matter } from '@/hooks/useReference';
import { api, call, newIdempotencyKey } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';
import type { components } from '@/lib/api/schema';
import { useAuthValue } from '@/lib/auth/context';
import { maskMobile } from '@/lib/idNumber';
import { cityName, deliveryLabel, ID_TYPE_LABELS, materialKindLabel, RONGQUE_EXPLAINED } from '@/lib/labels';
import { missingMaterials, STEPS, stepOfField, toRequest, type Answers } from './model';

type CaseView = components['schemas']['Case'];

function toFieldErrors(errorFields: { name: (string | number)[]; errors: string[] }[]): FieldError[] {
  return errorFields.filter((f) => f.errors.length).map((f) => ({ field: f.name.join('_'), message: f.errors[0] ?? '' }));
}

function MatterStep({ matters }: { matters: Matter[] }) {
  const byCity = new Map<string, Matter[]>();
  for (const m of matters) byCity.set(m.handling_city, [...(byCity.get(m.handling_city) ?? []), m]);
  return (
    <Form.Item name="matter_id" label={<h2 className="kc-question">您要办理哪个事项？</h2>} rules={[{ required: true, message: '请选择要办理的事项' }]}>
      <Radio.Group aria-label="您要办理哪个事项？" className="kc-choice-list">
        {[...byCity.entries()].map(([city, list]) => (
          <div key={city} className="kc-choice-group">
            <strong className="kc-choice-group-title">{cityName(city)}的事项</strong>
            {list.map((m) => (
              <Radio key={m.matter_id} value={m.matter_id} className="kc-choice">
                {m.name}
                <span className="kc-choice-hint">承诺时限 {m.time_limit_working_days} 个工作日{m.electronic ? ' · 电子流转' : ''}</span>
              </Radio>
            ))}
          </div>
        ))}
      </Radio.Group>
    </Form.Item>
  );
}

function WindowStep({ matter }: { matter: Matter }) {
  const offices = useOffices();
  const windows = (offices.data ?? []).filter((o) => matter.accepted_in.includes(o.city) && o.kinds.includes('receiving'));
  return (
    <Form.Item
      name="receiving_office_id"
      label={<h2 className="kc-question">您在哪个窗口递交材料？</h2>}
      extra={`「${matter.name}」由${cityName(matter.handling_city)}办理，可在以下城市的窗口递交。`}
      rules={[{ required: true, message: '请选择收件窗口' }]}
    >
      <Radio.Group aria-label="您在哪个窗口递交材料？" className="kc-choice-list">
        {windows.map((o) => (
          <Radio key={o.office_id} value={o.office_id} className="kc-choice">
            {o.name}
            <span className="kc-choice-hint">{cityName(o.city)}</span>
          </Radio>
        ))}
      </Radio.Group>
    </Form.Item>
  );
}

/** 授权: the citizen may let the office read materials from the licence library (免提交) and, where the matter
 * is approved by rule (秒批), the records the rule checks. Nothing is read without these boxes ticked. */
function LicenceAuthorization({ matter }: { matter: Matter }) {
  const fromLicence = matter.materials.filter((m) => m.licence);
  if (!fromLicence.length && !matter.approval_rule) return null;
  return (
    <fieldset className="kc-fieldset" data-testid="licence-authorization">
      <legend>电子证照授权（免提交）</legend>
      <p className="kc-secondary">勾选后，办理部门凭您的授权从广东省电子证照库读取，无需提交纸质材料；每次读取都留有记录。证照库暂时无法读取时，申请照常提交，届时请携带纸质材料。</p>
      {fromLicence.map((m) => (
        <Form.Item key={m.name} name={['licences', m.name]} valuePropName="checked" className="kc-material-item">
          <Checkbox>授权读取我的电子{m.licence}，作为「{m.name}」</Checkbox>
        </Form.Item>
      ))}
      {matter.approval_rule ? (
        <Form.Item name="records" valuePropName="checked" className="kc-material-item">
          <Checkbox>授权读取我的社保缴费记录，用于秒批（{matter.approval_rule.description}）</Checkbox>
        </Form.Item>
      ) : null}
    </fieldset>
  );
}

function MaterialsStep({ matter }: { matter: Matter }) {
  const provided = Form.useWatch('provided') as Record<string, boolean> | undefined;
  const licences = Form.useWatch('licences') as Record<string, boolean> | undefined;
  const lacking = missingMaterials(matter, provided, licences);
  return (
    <>
      <h2 className="kc-question">请核对您已准备好的材料</h2>
      <LicenceAuthorization matter={matter} />
      <Alert type="info" showIcon title="什么是容缺受理" description={RONGQUE_EXPLAINED} className="kc-step-note" />
      <fieldset className="kc-fieldset">
        <legend>「{matter.name}」所需材料（勾选已准备好的）</legend>
        {matter.materials.map((m) => (
          <Form.Item
            key={m.name}
            name={['provided', m.name]}
            valuePropName="checked"
            className="kc-material-item"
            rules={m.core ? [{
              validator: async (_: unknown, value: boolean | undefined) => {
                if (!value && !(m.licence && licences?.[m.name])) {
                  throw new Error(`「${m.name}」是必要材料，缺少时窗口无法收件，请准备好后再申请`);
                }
              },
            }] : []}
          >
            <Checkbox>
              {m.name} <Tag color={m.core ? 'error' : 'warning'}>{materialKindLabel(m.core)}</Tag>
              {m.licence && licences?.[m.name] ? <Tag color="success">电子证照</Tag> : null}
            </Checkbox>
          </Form.Item>
        ))}
      </fieldset>
      {lacking.nonCore.length ? (
        <Form.Item
          name="commitment"
          valuePropName="checked"
          rules={[{ validator: async (_: unknown, v: boolean | undefined) => { if (!v) throw new Error('容缺受理需要您承诺在期限内补齐材料'); } }]}
        >
          <Checkbox>我承诺在收件后 5 个工作日内补齐：{lacking.nonCore.join('、')}（容缺受理承诺书）</Checkbox>
        </Form.Item>
      ) : null}
    </>
  );
}

function CheckAnswers({ answers, matter, goTo }: { answers: Answers; matter: Matter; goTo: (step: number) => void }) {
  const offices = useOffices();
  const office = offices.data?.find((o) => o.office_id === answers.receiving_office_id);
  const lacking = missingMaterials(matter, answers.provided, answers.licences);
  const byLicence = matter.materials.filter((m) => m.licence && answers.licences?.[m.name]).map((m) => m.name);
  const a = answers.applicant ?? {};
  const d = answers.delivery ?? {};
  const change = (step: number, what: string) => (
    <Button type="link" size="small" onClick={() => goTo(step)} aria-label={`修改${what}`}>修改</Button>
  );
  return (
    <>
      <h2 className="kc-question">请核对您的申请</h2>
      <Descriptions
        bordered
        column={1}
        size="small"
        className="kc-check-answers"
        items={[
          { key: 'matter', label: '事项', children: <Flex justify="space-between" align="center" gap={8}>{matter.name}{change(0, '事项')}</Flex> },
          { key: 'window', label: '收件窗口', children: <Flex justify="space-between" align="center" gap={8}>{office?.name ?? answers.receiving_office_id}{change(1, '收件窗口')}</Flex> },
          {
            key: 'who', label: '申请人', children: (
              <Flex justify="space-between" align="center" gap={8}>
                <span>{a.name}<br />{ID_TYPE_LABELS[a.id_type ?? 'RESIDENT_ID']} {a.id_number}<br />手机 {maskMobile(a.phone ?? '')}</span>
                {change(2, '申请人')}
              </Flex>
            ),
          },
          {
            key: 'materials', label: '材料', children: (
              <Flex justify="space-between" align="center" gap={8}>
                <span>
                  已准备：{matter.materials.filter((m) => answers.provided?.[m.name]).map((m) => m.name).join('、') || '无'}
                  {byLicence.length ? <><br />电子证照授权读取：{byLicence.join('、')}</> : null}
                  {matter.approval_rule && answers.records ? <><br />授权读取社保缴费记录（秒批）</> : null}
                  {lacking.nonCore.length ? <><br />容缺（承诺补齐）：{lacking.nonCore.join('、')}</> : null}
                </span>
                {change(3, '材料')}
              </Flex>
            ),
          },
          {
            key: 'delivery', label: '结果送达', children: (
              <Flex justify="space-between" align="center" gap={8}>
                <span>
                  {deliveryLabel(d.method ?? '')}
                  {d.method === 'MAIL' && d.address ? <><br />{cityName(d.address.city)} {d.address.detail}，{d.address.recipient} {maskMobile(d.address.phone ?? '')}</> : null}
                </span>
                {change(4, '结果送达')}
              </Flex>
            ),
          },
        ]}
      />
    </>
  );
}

export function Receipt({ created, matterName }: { created: CaseView & { query_code?: string }; matterName: string }) {
  return (
    <Notice
      tone="success"
      title="申请已提交"
      description={`${matterName}：请携带材料到所选窗口，或等待窗口工作人员联系。`}
      extra={<>
        <Link to={`/citizen/cases/${created.case_no}`}><Button type="primary">查看办件</Button></Link>
        <Link to="/citizen/cases"><Button>我的办件</Button></Link>
      </>}
    >
      <Descriptions
        column={1}
        bordered
        size="small"
        items={[
          { key: 'no', label: '办件编号', children: <CopyText text={created.case_no} label="办件编号" testId="receipt-case-no" /> },
          { key: 'code', label: '查询码', children: <CopyText text={created.query_code ?? '—'} label="查询码" testId="receipt-query-code" /> },
        ]}
      />
      <p className="kc-receipt-note">
        请记下办件编号和查询码：不登录也可以在「办件查询」中凭这两项查看进度。
      </p>
    </Notice>
  );
}

export function ApplyPage() {
  const [params] = useSearchParams();
  const auth = useAuthValue();
  const matters = useMatters();
  const [form] = Form.useForm<Answers>();
  const [step, setStep] = useState(0);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [pendingFieldError, setPendingFieldError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<(CaseView & { query_code?: string }) | null>(null);
  const idempotencyKey = useRef<string | null>(null);
  const headingRef = useRef<HTMLParagraphElement>(null);
  const screens = Grid.useBreakpoint();
  // Watched with preserve: the matter's own field is off screen after the first step.
  const matterId = Form.useWatch('matter_id', { form, preserve: true }) as string | undefined;
  const matter = useMemo(() => matters.data?.find((m) => m.matter_id === matterId), [matters.data, matterId]);

  const submit = useApiMutation({
    mutationFn: (body: ReturnType<typeof toRequest>) => {
      idempotencyKey.current ??= newIdempotencyKey();
      return call(api().POST('/cases', { body, params: { header: { 'Idempotency-Key': idempotencyKey.current } } }));
    },
    fieldErrorsInForm: true,
    reload: [['my-cases']],
    onSuccess: (data) => {
      idempotencyKey.current = null;
      setCreated(data as CaseView & { query_code?: string });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 400 && error.field) {
        setPendingFieldError(error);
        setStep(stepOfField(error.field));
      }
    },
  });

  // A field the API refused is shown beside that field once its step is on screen.
  useEffect(() => {
    if (!pendingFieldError?.field) return;
    const name = pendingFieldError.field.split('.');
    form.setFields([{ name: name as never, errors: [pendingFieldError.message] }]);
    setErrors([{ field: name.join('_'), message: pendingFieldError.message }]);
    setPendingFieldError(null);
  }, [pendingFieldError, form, step]);

  useEffect(() => {
    headingRef.current?.focus();
  }, [step]);

  if (matters.isPending) return <Loading label="正在加载事项…" />;
  if (matters.isError) return <ErrorState error={matters.error} onRetry={() => matters.refetch()} />;
  if (created) return <Receipt created={created} matterName={matter?.name ?? created.matter_id} />;

  const initial: Answers = {
    matter_id: params.get('matter') ?? undefined,
    applicant: { name: auth.identity?.name, id_type: 'RESIDENT_ID' },
    delivery: { method: undefined },
  };

  const goTo = (next: number) => {
    setErrors([]);
    // Changing an answer after a failed submit makes a new request: it gets a new key.
    if (next < STEPS.length - 1) idempotencyKey.current = null;
    setStep(next);
  };

  const next = async () => {
    try {
      await form.validateFields();
      setErrors([]);
      setStep((s) => Math.min(s + 1, STEPS.length - 1));
    } catch (info) {
      const fields = (info as { errorFields?: { name: (string | number)[]; errors: string[] }[] }).errorFields ?? [];
      setErrors(toFieldErrors(fields));
    }
  };

  const send = () => {
    if (!matter) return;
    submit.mutate(toRequest(form.getFieldsValue(true) as Answers, matter));
  };

  const current = STEPS[step];
  return (
    <>
      <PageHeader title="在线申请" crumbs={[{ path: '/citizen/cases', title: '我的办件' }, { title: '在线申请' }]} />
      {screens.md ? (
        <Steps current={step} items={STEPS.map((s) => ({ key: s.key, title: s.title }))} className="kc-wizard-steps" />
      ) : null}
      <p className="kc-step-count" ref={headingRef} tabIndex={-1}>第 {step + 1} 步，共 {STEPS.length} 步：{current?.title}</p>
      <ErrorSummary errors={errors} />
      {submit.error && !(submit.error instanceof ApiError && submit.error.status === 400 && submit.error.field) ? (
        <Alert
          type="error"
          showIcon
          className="kc-step-note"
          title="提交没有成功"
          description={<span role="alert">{submit.error instanceof Error ? submit.error.message : String(submit.error)}</span>}
          action={<Button onClick={send} loading={submit.isPending}>重试</Button>}
        />
      ) : null}
      <Form form={form} layout="vertical" initialValues={initial} requiredMark={false} validateTrigger={false} className="kc-wizard"
        onFinish={step === STEPS.length - 1 ? send : next}
        onFinishFailed={({ errorFields }) => setErrors(toFieldErrors(errorFields))}
      >
        {step === 0 ? <MatterStep matters={matters.data} /> : null}
        {step > 0 && !matter ? (
          <Alert type="warning" showIcon title="请先选择要办理的事项" action={<Button onClick={() => goTo(0)}>选择事项</Button>} />
        ) : null}
        {step === 1 && matter ? <WindowStep matter={matter} /> : null}
        {step === 2 ? (
          <>
            <h2 className="kc-question">申请人信息</h2>
            <p className="kc-secondary">您只能为本人申请；代他人办理请到窗口。</p>
            <ApplicantFields />
          </>
        ) : null}
        {step === 3 && matter ? <MaterialsStep matter={matter} /> : null}
        {step === 4 && matter ? (
          <>
            <h2 className="kc-question">结果送达</h2>
            <DeliveryFields methods={matter.deliveries} />
          </>
        ) : null}
        {step === 5 && matter ? <CheckAnswers answers={form.getFieldsValue(true) as Answers} matter={matter} goTo={goTo} /> : null}
        <Space className="kc-wizard-actions">
          {step > 0 ? <Button onClick={() => goTo(step - 1)}>上一步</Button> : null}
          <Button type="primary" htmlType="submit" loading={submit.isPending}>
            {step === STEPS.length - 1 ? '提交申请' : '继续'}
          </Button>
        </Space>
      </Form>
    </>
  );
}
