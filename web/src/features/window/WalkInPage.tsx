/**
 * 窗口代录: staff enter the application of a citizen standing at the window. The query code is shown once here
 * (and printed on the receipt); the submission carries an Idempotency-Key reused on retry.
 */
import { Alert, Button, Checkbox, Col, Descriptions, Form, Result, Row, Select, Space, Tag, Typography } from 'antd';
import { Panel } from '@/components/Panel';
import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ApplicantFields } from '@/components/ApplicantFields';
import { DeliveryFields } from '@/components/DeliveryFields';
import { ErrorSummary, type FieldError } from '@/components/ErrorSummary';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState, Loading } from '@/components/PageState';
import { useApiMutation } from '@/hooks/useApiMutation';
import { useMatters, useOffices } from '@/hooks/useReference';
import { api, call, newIdempotencyKey } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';
import { useAuthValue } from '@/lib/auth/context';
import { cityName, materialKindLabel } from '@/lib/labels';
import { toRequest, type Answers } from '@/features/citizen/apply/model';
import { rememberQueryCode } from './queryCodes';

export function WalkInPage() {
  const auth = useAuthValue();
  const offices = useOffices();
  const matters = useMatters();
  const [form] = Form.useForm<Answers>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [created, setCreated] = useState<{ case_no: string; query_code: string } | null>(null);
  const key = useRef<string | null>(null);
  const officeId = auth.identity?.officeId ?? '';
  const office = offices.data?.find((o) => o.office_id === officeId);
  const matterId = Form.useWatch('matter_id', { form, preserve: true }) as string | undefined;
  const choices = useMemo(() => (matters.data ?? []).filter((m) => office && m.accepted_in.includes(office.city)), [matters.data, office]);
  const matter = choices.find((m) => m.matter_id === matterId);

  const submit = useApiMutation({
    mutationFn: (body: ReturnType<typeof toRequest>) => {
      key.current ??= newIdempotencyKey();
      return call(api().POST('/cases', { body, params: { header: { 'Idempotency-Key': key.current } } }));
    },
    fieldErrorsInForm: true,
    reload: [['queue', officeId]],
    onSuccess: (c) => {
      key.current = null;
      const code = (c as { query_code?: string }).query_code ?? '';
      rememberQueryCode(c.case_no, code);
      setCreated({ case_no: c.case_no, query_code: code });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 400 && error.field) {
        const name = error.field.split('.');
        form.setFields([{ name: name as never, errors: [error.message] }]);
        setErrors([{ field: name.join('_'), message: error.message }]);
      }
    },
  });

  if (offices.isPending || matters.isPending) return <Loading />;
  if (offices.isError) return <ErrorState error={offices.error} onRetry={() => offices.refetch()} />;
  if (matters.isError) return <ErrorState error={matters.error} onRetry={() => matters.refetch()} />;

  if (created) {
    return (
      <>
        <PageHeader title="窗口代录" crumbs={[{ path: '/window/queue', title: '收件工作台' }, { title: '窗口代录' }]} />
        <Result
          status="success"
          title="申请已录入"
          subTitle="查询码只显示这一次：请告知申请人，或收件后打印收件回执交给申请人。"
          extra={[
            <Link key="receive" to={`/window/cases/${created.case_no}`}><Button type="primary">核对材料并收件</Button></Link>,
            <Button key="again" onClick={() => { setCreated(null); form.resetFields(); }}>继续录入</Button>,
          ]}
        >
          <Descriptions
            bordered
            column={1}
            items={[
              { key: 'no', label: '办件编号', children: <Typography.Text strong copyable data-testid="walkin-case-no">{created.case_no}</Typography.Text> },
              { key: 'code', label: '查询码', children: <Typography.Text strong data-testid="walkin-query-code">{created.query_code}</Typography.Text> },
            ]}
          />
        </Result>
      </>
    );
  }

  return (
    <>
      <PageHeader title="窗口代录" crumbs={[{ path: '/window/queue', title: '收件工作台' }, { title: '窗口代录' }]} />
      <ErrorSummary errors={errors} />
      {submit.error && !(submit.error instanceof ApiError && submit.error.status === 400 && submit.error.field) ? (
        <Alert type="error" showIcon className="kc-step-note" title={<span role="alert">{(submit.error as Error).message}</span>} />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        validateTrigger={false}
        initialValues={{ applicant: { id_type: 'RESIDENT_ID' }, delivery: { method: 'PICKUP_RECEIVING' } }}
        onFinish={() => {
          setErrors([]);
          if (matter) submit.mutate(toRequest({ ...(form.getFieldsValue(true) as Answers), receiving_office_id: officeId }, matter));
        }}
        onFinishFailed={({ errorFields }) => setErrors(errorFields.map((f) => ({ field: f.name.join('_'), message: f.errors[0] ?? '' })))}
      >
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Panel size="small" title={<h2 className="kc-card-title">事项与申请人</h2>}>
              <Typography.Paragraph type="secondary">收件窗口：{office?.name ?? officeId}（{cityName(office?.city)}）</Typography.Paragraph>
              <Form.Item name="matter_id" label="事项" rules={[{ required: true, message: '请选择事项' }]}>
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  options={choices.map((m) => ({ value: m.matter_id, label: `${m.name}（${cityName(m.handling_city)}）` }))}
                  onChange={() => form.setFieldValue('provided', {})}
                />
              </Form.Item>
              <ApplicantFields />
            </Panel>
          </Col>
          <Col xs={24} lg={12}>
            <Panel size="small" title={<h2 className="kc-card-title">材料与结果送达</h2>}>
              {matter ? (
                <fieldset className="kc-fieldset">
                  <legend>申请人带来的材料</legend>
                  {matter.materials.map((m) => (
                    <Form.Item key={m.name} name={['provided', m.name]} valuePropName="checked" className="kc-material-item">
                      <Checkbox>{m.name} <Tag color={m.core ? 'error' : 'warning'}>{materialKindLabel(m.core)}</Tag></Checkbox>
                    </Form.Item>
                  ))}
                </fieldset>
              ) : <Typography.Paragraph type="secondary">先选择事项，再核对材料。</Typography.Paragraph>}
              {matter ? <DeliveryFields methods={matter.deliveries} /> : null}
            </Panel>
          </Col>
        </Row>
        <Space className="kc-wizard-actions">
          <Button type="primary" htmlType="submit" loading={submit.isPending}>录入申请</Button>
          <Link to="/window/queue">取消</Link>
        </Space>
      </Form>
    </>
  );
}
