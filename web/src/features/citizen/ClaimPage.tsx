/**
 * 认领: a case entered for the citizen at a window is linked to their account with its query code and the
 * applicant's identity number (POST /cases/{case_no}/claim). Any mismatch is one "not found" (no oracle).
 */
import { Alert, Button, Form, Input } from 'antd';
import { Panel } from '@/components/Panel';
import { useNavigate } from 'react-router';
import { idNumberRule } from '@/components/ApplicantFields';
import { ErrorSummary, type FieldError } from '@/components/ErrorSummary';
import { PageHeader } from '@/components/PageHeader';
import { useApiMutation } from '@/hooks/useApiMutation';
import { api, call } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';
import { useState } from 'react';

interface ClaimValues {
  case_no: string;
  query_code: string;
  id_number: string;
}

export function ClaimPage() {
  const [form] = Form.useForm<ClaimValues>();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const claim = useApiMutation({
    mutationFn: (v: ClaimValues) =>
      call(api().POST('/cases/{case_no}/claim', {
        params: { path: { case_no: v.case_no } },
        body: { query_code: v.query_code, id_number: v.id_number },
      })),
    reload: [['my-cases']],
    successMessage: '认领成功，办件已加入“我的办件”',
    fieldErrorsInForm: true,
    onSuccess: (c) => navigate(`/citizen/cases/${c.case_no}`),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 400 && error.field) {
        form.setFields([{ name: error.field as keyof ClaimValues, errors: [error.message] }]);
        setErrors([{ field: error.field, message: error.message }]);
      }
    },
  });
  return (
    <>
      <PageHeader title="认领窗口办件" crumbs={[{ path: '/citizen/cases', title: '我的办件' }, { title: '认领窗口办件' }]} />
      <Panel className="kc-narrow-card">
        <p>
          在窗口办理的申请，可凭收件回执上的办件编号、查询码和申请人身份证号码认领到您的账号，之后可在网上查看、撤回和评价。
        </p>
        <ErrorSummary errors={errors} />
        {claim.error && claim.error instanceof ApiError && claim.error.status === 404 ? (
          <Alert type="error" showIcon className="kc-step-note" title={<span role="alert">信息不匹配：请核对办件编号、查询码和身份证号码。</span>} />
        ) : null}
        <Form
          form={form}
          layout="vertical"
          requiredMark={false}
          validateTrigger={false}
          onFinish={(v) => {
            setErrors([]);
            claim.mutate({ case_no: v.case_no.trim().toUpperCase(), query_code: v.query_code.trim(), id_number: v.id_number.trim().toUpperCase() });
          }}
          onFinishFailed={({ errorFields }) => setErrors(errorFields.map((f) => ({ field: f.name.join('_'), message: f.errors[0] ?? '' })))}
        >
          <Form.Item name="case_no" label="办件编号" rules={[{ required: true, whitespace: true, message: '请输入办件编号' }]}>
            <Input autoComplete="off" maxLength={40} />
          </Form.Item>
          <Form.Item name="query_code" label="查询码" rules={[{ required: true, message: '请输入查询码' }, { pattern: /^\d{6}$/, message: '查询码为 6 位数字' }]}>
            <Input autoComplete="off" inputMode="numeric" maxLength={6} />
          </Form.Item>
          <Form.Item name="id_number" label="申请人身份证号码" rules={[idNumberRule(() => 'RESIDENT_ID')]}>
            <Input autoComplete="off" maxLength={18} spellCheck={false} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={claim.isPending}>认领</Button>
        </Form>
      </Panel>
    </>
  );
}
