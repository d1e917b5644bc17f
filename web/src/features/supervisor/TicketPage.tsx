/**
 * 差评工单 detail, for the ticket's supervisors and the rated office's staff: the review and a case summary; the
 * reviewer's name and phone (supervisors only, each read written to the access log, as the page says); the whole
 * history (who, role, when, what); and only the actions the ticket's state and the reader's role allow: verify or
 * explain, rectify, 回访 feedback (supervisors), appeal once (rated office), the appeal decision (provincial).
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Form, Input, Radio, Row, Select, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState, Loading } from '@/components/PageState';
import { WorkdayTag } from '@/components/WorkdayTag';
import { useApiMutation } from '@/hooks/useApiMutation';
import { useMatterName, useOfficeName } from '@/hooks/useReference';
import { showFieldError } from '@/features/handling/fieldErrors';
import { api, call } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import type { components } from '@/lib/api/schema';
import { useAuthValue } from '@/lib/auth/context';
import { formatDate, formatDateTime } from '@/lib/dates';
import {
  APPEAL_STATUS_LABELS, cityName, RATING_LABELS, ROLE_LABELS, STAGE_LABELS, statusLabel, TICKET_ACTION_LABELS,
  ticketStatusLabel, type Role,
} from '@/lib/labels';
import { PROVINCIAL } from './filters';

type Ticket = components['schemas']['Ticket'];
type Contact = components['schemas']['ReviewerContact'];

const ticketKey = (id: string) => ['ticket', id];

function useTicketStep<TBody>(ticketId: string, path: string, success: string) {
  return useApiMutation<Ticket, TBody>({
    // The ticket steps share one shape ({ticket_id} + JSON body); openapi-fetch types each path separately.
    mutationFn: (body: TBody) => call(api().POST(path as '/tickets/{ticket_id}/verify', { params: { path: { ticket_id: ticketId } }, body: body as never })),
    reload: [ticketKey(ticketId), ['reviews']],
    successMessage: success,
    fieldErrorsInForm: true,
  });
}

function StepCard({ title, children }: { title: string; children: React.ReactNode }) {
  return <Card size="small" title={<h2 className="kc-card-title">{title}</h2>}>{children}</Card>;
}

function VerifyForm({ ticketId }: { ticketId: string }) {
  const [form] = Form.useForm<{ valid: boolean; finding: string }>();
  const step = useTicketStep<{ valid: boolean; finding: string }>(ticketId, '/tickets/{ticket_id}/verify', '已记录核实结果');
  return (
    <StepCard title="核实">
      <Form form={form} layout="vertical" onFinish={(v) => step.mutate(v, { onError: (e) => showFieldError(form, e, ['finding', 'valid']) })}>
        <Form.Item name="valid" label="核实结论" rules={[{ required: true, message: '请选择核实结论' }]}>
          <Radio.Group options={[{ value: true, label: '差评属实（进入整改）' }, { value: false, label: '不属实（向评价人解释说明）' }]} />
        </Form.Item>
        <Form.Item name="finding" label="核实情况 / 解释说明" rules={[{ required: true, whitespace: true, message: '请填写核实情况' }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={step.isPending}>提交核实</Button>
      </Form>
    </StepCard>
  );
}

function RectifyForm({ ticketId }: { ticketId: string }) {
  const [form] = Form.useForm<{ actions: string }>();
  const step = useTicketStep<{ actions: string }>(ticketId, '/tickets/{ticket_id}/rectify', '已记录整改措施');
  return (
    <StepCard title="整改">
      <Form form={form} layout="vertical" onFinish={(v) => step.mutate(v, { onError: (e) => showFieldError(form, e, ['actions']) })}>
        <Form.Item name="actions" label="整改措施" rules={[{ required: true, whitespace: true, message: '请填写整改措施' }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={step.isPending}>提交整改</Button>
      </Form>
    </StepCard>
  );
}

function FeedbackForm({ ticketId }: { ticketId: string }) {
  const [form] = Form.useForm<{ contacted: boolean; satisfied?: boolean; note?: string }>();
  const contacted = Form.useWatch('contacted', form);
  const step = useTicketStep<{ contacted: boolean; satisfied?: boolean | null; note: string }>(ticketId, '/tickets/{ticket_id}/feedback', '已记录回访，工单办结');
  return (
    <StepCard title="回访">
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => step.mutate({ contacted: v.contacted, satisfied: v.contacted ? v.satisfied ?? null : null, note: v.note ?? '' }, { onError: (e) => showFieldError(form, e, ['contacted', 'satisfied', 'note']) })}
      >
        <Form.Item name="contacted" label="是否联系上评价人" rules={[{ required: true, message: '请选择是否联系上' }]}>
          <Radio.Group options={[{ value: true, label: '已联系' }, { value: false, label: '未能联系' }]} />
        </Form.Item>
        {contacted ? (
          <Form.Item name="satisfied" label="评价人对整改是否满意" rules={[{ required: true, message: '请选择是否满意' }]}>
            <Radio.Group options={[{ value: true, label: '满意' }, { value: false, label: '不满意' }]} />
          </Form.Item>
        ) : null}
        <Form.Item name="note" label="回访记录">
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={step.isPending}>提交回访</Button>
      </Form>
    </StepCard>
  );
}

function AppealForm({ ticketId }: { ticketId: string }) {
  const [form] = Form.useForm<{ grounds: string }>();
  const step = useTicketStep<{ grounds: string }>(ticketId, '/tickets/{ticket_id}/appeal', '已提交申诉，等待省级复核');
  return (
    <StepCard title="申诉（仅一次）">
      <Typography.Paragraph type="secondary">对恶意或错误的差评，本单位可申诉一次，由省级监督复核。申诉成立的差评保留，但不计入统计。</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => step.mutate(v, { onError: (e) => showFieldError(form, e, ['grounds']) })}>
        <Form.Item name="grounds" label="申诉理由与证据" rules={[{ required: true, whitespace: true, message: '请填写申诉理由' }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={step.isPending}>提交申诉</Button>
      </Form>
    </StepCard>
  );
}

function AppealDecisionForm({ ticketId }: { ticketId: string }) {
  const [form] = Form.useForm<{ upheld: boolean; note: string }>();
  const step = useTicketStep<{ upheld: boolean; note: string }>(ticketId, '/tickets/{ticket_id}/appeal-decision', '已作出申诉复核决定');
  return (
    <StepCard title="申诉复核（省级）">
      <Form form={form} layout="vertical" onFinish={(v) => step.mutate(v, { onError: (e) => showFieldError(form, e, ['note', 'upheld']) })}>
        <Form.Item name="upheld" label="复核结论" rules={[{ required: true, message: '请选择复核结论' }]}>
          <Radio.Group options={[{ value: true, label: '申诉成立（差评不计入统计）' }, { value: false, label: '驳回申诉' }]} />
        </Form.Item>
        <Form.Item name="note" label="复核意见" rules={[{ required: true, whitespace: true, message: '请填写复核意见' }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={step.isPending}>提交复核</Button>
      </Form>
    </StepCard>
  );
}

const REASONS = ['核实差评情况', '整改后回访'];

/** The reviewer's name and full phone, read on purpose with a reason; never cached, never kept. */
function ReviewerContact({ ticketId }: { ticketId: string }) {
  const [reason, setReason] = useState<string>('核实差评情况');
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  async function read() {
    setLoading(true);
    setError(null);
    try {
      setContact(await call(api().GET('/tickets/{ticket_id}/reviewer-contact', { params: { path: { ticket_id: ticketId }, query: { reason } } })));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }
  return (
    <StepCard title="评价人联系方式">
      <Alert type="warning" showIcon title="查看评价人的姓名和完整电话将记入个人信息查阅记录（查看人、时间、工单、事由），仅用于核实和回访。" style={{ marginBottom: 12 }} />
      {contact ? (
        <Descriptions size="small" column={1} items={[
          { key: 'n', label: '姓名', children: contact.name },
          { key: 'p', label: '电话', children: <Typography.Text copyable>{contact.phone}</Typography.Text> },
          { key: 'l', label: '已记录', children: formatDateTime(contact.logged_at) },
        ]} />
      ) : (
        <Space wrap>
          <label htmlFor="contact-reason">查看事由</label>
          <Select id="contact-reason" value={reason} onChange={setReason} style={{ width: 160 }} options={REASONS.map((r) => ({ value: r, label: r }))} />
          <Button onClick={() => void read()} loading={loading}>查看联系方式</Button>
        </Space>
      )}
      {error ? <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} /> : null}
    </StepCard>
  );
}

function CaseSummary({ caseNo }: { caseNo: string }) {
  const matterName = useMatterName();
  const officeName = useOfficeName();
  const detail = useQuery({ queryKey: ['case', caseNo, 'detail'], queryFn: () => call(api().GET('/cases/{case_no}', { params: { path: { case_no: caseNo } } })) });
  if (detail.isPending) return <Loading rows={2} label="正在加载办件摘要…" />;
  if (detail.isError) return <Alert type="info" showIcon title={`办件摘要：${errorMessage(detail.error)}`} />;
  const c = detail.data;
  return (
    <Descriptions size="small" column={2} items={[
      { key: 'no', label: '办件编号', children: c.case_no },
      { key: 'm', label: '事项', children: matterName(c.matter_id) },
      { key: 'r', label: '收件窗口', children: officeName(c.receiving_office_id) },
      { key: 'h', label: '办理部门', children: officeName(c.handling_office_id) },
      { key: 's', label: '办件状态', children: statusLabel(c.status) },
      { key: 'p', label: '承诺办结', children: formatDate(c.promised_by) },
    ]} />
  );
}

function History({ ticket }: { ticket: Ticket }) {
  return (
    <Timeline
      items={ticket.history.map((h) => ({
        key: h.seq,
        color: h.action === 'escalate' ? 'red' : h.action === 'open' ? 'gray' : 'blue',
        children: (
          <div>
            <Typography.Text strong>{TICKET_ACTION_LABELS[h.action] ?? h.action}</Typography.Text>
            <Typography.Text type="secondary"> · {formatDateTime(h.at)}</Typography.Text>
            <div>
              {h.actor_role === 'system' ? '系统' : (h.actor_name || h.actor_sub || '—')}（{ROLE_LABELS[h.actor_role as Role] ?? '系统'}
              {h.city ? ` · ${cityName(h.city)}` : ''}{h.office_id ? ` · ${h.office_id}` : ''}）
              {h.from_status !== h.to_status ? ` · ${ticketStatusLabel(h.from_status)} → ${ticketStatusLabel(h.to_status)}` : ''}
            </div>
            {h.note ? <Typography.Paragraph style={{ margin: 0 }}>{h.note}</Typography.Paragraph> : null}
          </div>
        ),
      }))}
    />
  );
}

export function TicketPage() {
  const { ticketId = '' } = useParams();
  const identity = useAuthValue().identity;
  const officeName = useOfficeName();
  const ticket = useQuery({
    queryKey: ticketKey(ticketId),
    queryFn: () => call(api().GET('/tickets/{ticket_id}', { params: { path: { ticket_id: ticketId } } })),
  });
  if (ticket.isPending) return <Loading label="正在加载工单…" />;
  if (ticket.isError) return <ErrorState error={ticket.error} onRetry={() => ticket.refetch()} />;
  const t = ticket.data;
  const supervisor = identity?.role === 'supervisor';
  const provincial = supervisor && identity?.city === PROVINCIAL;
  const ratedStaff = identity?.role === 'staff' && identity.officeId === t.office_id;
  const appeal = t.appeal?.status ?? 'NONE';
  const undecided = appeal !== 'UPHELD'; // an upheld appeal ends the work on the ticket
  const review = t.review;
  const backTo = supervisor ? '/supervisor' : '/handling/tickets';
  return (
    <>
      <PageHeader
        title={`差评工单 ${t.case_no ?? t.ticket_id}`}
        crumbs={[{ path: backTo, title: '差评工单' }, { title: t.ticket_id }]}
        extra={
          <Space wrap>
            <Tag color={t.status === 'CLOSED' || t.status === 'EXPLAINED' ? 'success' : 'processing'}>{ticketStatusLabel(t.status)}</Tag>
            {t.escalated ? <Tag color="magenta">已升级省级</Tag> : null}
            {appeal !== 'NONE' ? <Tag>{APPEAL_STATUS_LABELS[appeal]}</Tag> : null}
          </Space>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <StepCard title="评价">
              <Descriptions size="small" column={2} items={[
                { key: 'r', label: '评分', children: <Tag color="error">{t.rating} 星 · {RATING_LABELS[t.rating]}</Tag> },
                { key: 's', label: '环节', children: STAGE_LABELS[t.stage] ?? t.stage },
                { key: 'o', label: '被评单位', children: officeName(t.office_id) },
                { key: 'a', label: '评价时间', children: formatDateTime(t.review_at) },
                { key: 't', label: '原因', span: 2, children: ((review?.tags ?? []) as string[]).map((x) => <Tag key={x}>{x}</Tag>) },
                { key: 'c', label: '内容', span: 2, children: review?.comment || '—' },
                ...(review?.follow_up ? [{ key: 'f', label: '追评', span: 2, children: review.follow_up }] : []),
              ]} />
            </StepCard>
            {t.case_no ? <StepCard title="办件摘要"><CaseSummary caseNo={t.case_no} /></StepCard> : null}
            <StepCard title="处理记录"><History ticket={t} /></StepCard>
          </Space>
        </Col>
        <Col xs={24} lg={10}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <StepCard title="期限">
              <Space direction="vertical">
                <span>核实期限 {formatDate(t.verify_due)} <WorkdayTag left={t.verify_working_days_left} deadline={t.verify_due} /></span>
                <span>整改期限 {formatDate(t.rectify_due)} <WorkdayTag left={t.rectify_working_days_left} deadline={t.rectify_due} /></span>
                {t.finding ? <span>核实情况：{t.finding}</span> : null}
                {t.actions ? <span>整改措施：{t.actions}</span> : null}
                {t.feedback ? <span>回访：{t.feedback.contacted ? (t.feedback.satisfied ? '已联系，满意' : '已联系，不满意') : '未能联系'}{t.feedback.note ? `（${t.feedback.note}）` : ''}</span> : null}
                {t.appeal?.grounds ? <span>申诉理由：{t.appeal.grounds}</span> : null}
                {t.appeal?.note ? <span>复核意见：{t.appeal.note}</span> : null}
              </Space>
            </StepCard>
            {supervisor && review?.reviewer ? <ReviewerContact ticketId={t.ticket_id} /> : null}
            {supervisor && undecided && t.status === 'OPEN' ? <VerifyForm ticketId={t.ticket_id} /> : null}
            {supervisor && undecided && t.status === 'VERIFIED' ? <RectifyForm ticketId={t.ticket_id} /> : null}
            {supervisor && undecided && t.status === 'RECTIFIED' ? <FeedbackForm ticketId={t.ticket_id} /> : null}
            {ratedStaff && appeal === 'NONE' ? <AppealForm ticketId={t.ticket_id} /> : null}
            {provincial && appeal === 'PENDING' ? <AppealDecisionForm ticketId={t.ticket_id} /> : null}
            {appeal === 'UPHELD' ? <Alert type="info" showIcon title="申诉成立：该差评保留但不计入统计，工单不再处理。" /> : null}
          </Space>
        </Col>
      </Row>
    </>
  );
}
