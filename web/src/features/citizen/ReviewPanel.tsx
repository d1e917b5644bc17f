/**
 * 好差评 of one case by its applicant: each stage (receiving window, handling office) rated once, 1–5; a rating of
 * 1–2 (差评) needs at least one reason tag and a comment, as the API requires. A given review can get one
 * follow-up comment (追评); a bad review's ticket shows how its rectification goes.
 */
import { Alert, Button, Checkbox, Descriptions, Form, Input, Radio, Space, Tag } from 'antd';
import { useState } from 'react';
import { Panel } from '@/components/Panel';
import { useApiMutation } from '@/hooks/useApiMutation';
import { caseKeys, useCaseReviews } from '@/hooks/useCase';
import { api, call } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import type { components } from '@/lib/api/schema';
import { formatDateTime } from '@/lib/dates';
import { BAD_REVIEW_TAGS, isBadRating, RATING_LABELS, STAGE_LABELS, type CaseStatus } from '@/lib/labels';

type Review = components['schemas']['Review'];
type Stage = 'receiving' | 'handling';

const RECEIVING_RATEABLE: CaseStatus[] = ['RECEIVED', 'REFUSED', 'IN_TRANSIT', 'ACCEPTED', 'RETURNED', 'APPROVED', 'DENIED',
  'RESULT_IN_TRANSIT', 'READY_FOR_PICKUP', 'COMPLETED', 'TERMINATED'];

/** The stages the applicant may rate now (DESIGN §5): receiving once received or refused, handling once completed. */
export function rateableStages(status: CaseStatus): Stage[] {
  const stages: Stage[] = [];
  if (RECEIVING_RATEABLE.includes(status)) stages.push('receiving');
  if (status === 'COMPLETED') stages.push('handling');
  return stages;
}

const TICKET_LABELS: Record<string, string> = {
  OPEN: '待核实', VERIFIED: '已核实，整改中', RECTIFIED: '已整改，待回访', CLOSED: '已办结', EXPLAINED: '已解释说明',
};

const RATE_FIELDS = ['rating', 'tags', 'comment'];

function RateForm({ caseNo, stage }: { caseNo: string; stage: Stage }) {
  const [form] = Form.useForm<{ rating?: number; tags?: string[]; comment?: string }>();
  const rating = Form.useWatch('rating', form);
  const bad = typeof rating === 'number' && isBadRating(rating);
  const rate = useApiMutation({
    mutationFn: (v: { rating: number; tags: string[]; comment: string }) =>
      call(api().POST('/cases/{case_no}/reviews', { params: { path: { case_no: caseNo } }, body: { stage, ...v } })),
    reload: [caseKeys.reviews(caseNo)],
    successMessage: '感谢您的评价',
    // Any other field's error (e.g. `stage`) is toasted by useApiMutation.
    fieldErrorsInForm: RATE_FIELDS,
    onError: (error) => {
      const e = error as { field?: string; message?: string; status?: number };
      if (e.status === 400 && e.field && RATE_FIELDS.includes(e.field)) form.setFields([{ name: e.field as never, errors: [e.message ?? ''] }]);
    },
  });
  const id = `rate-${stage}`;
  return (
    <Form
      form={form}
      name={id}
      layout="vertical"
      requiredMark={false}
      onFinish={(v) => rate.mutate({ rating: v.rating ?? 0, tags: v.tags ?? [], comment: (v.comment ?? '').trim() })}
    >
      <Form.Item name="rating" label={`您对${STAGE_LABELS[stage]}的评价`} rules={[{ required: true, message: '请选择评价' }]}>
        <Radio.Group aria-label={`您对${STAGE_LABELS[stage]}的评价`} optionType="button" className="kc-rating">
          {[5, 4, 3, 2, 1].map((r) => <Radio.Button key={r} value={r}>{RATING_LABELS[r]}</Radio.Button>)}
        </Radio.Group>
      </Form.Item>
      {bad ? (
        <>
          <Form.Item
            name="tags"
            label="不满意的原因（至少选一项）"
            // A validator, not `required`: antd would put aria-required on the checkbox group, which ARIA forbids.
            rules={[{ validator: (_, v?: string[]) => (v?.length ? Promise.resolve() : Promise.reject(new Error('差评请至少选择一个原因'))) }]}
          >
            <Checkbox.Group options={BAD_REVIEW_TAGS.map((t) => ({ label: t, value: t }))} />
          </Form.Item>
          <Form.Item name="comment" label="具体情况" rules={[{ required: true, whitespace: true, message: '差评请说明具体情况' }]}>
            <Input.TextArea maxLength={2000} autoSize={{ minRows: 3 }} />
          </Form.Item>
        </>
      ) : (
        <Form.Item name="comment" label="意见建议（选填）">
          <Input.TextArea maxLength={2000} autoSize={{ minRows: 2 }} />
        </Form.Item>
      )}
      <Button type="primary" htmlType="submit" loading={rate.isPending}>提交评价</Button>
    </Form>
  );
}

function FollowUpForm({ caseNo, stage }: { caseNo: string; stage: Stage }) {
  const [open, setOpen] = useState(false);
  const send = useApiMutation({
    mutationFn: (comment: string) =>
      call(api().POST('/cases/{case_no}/reviews/{stage}/follow-up', { params: { path: { case_no: caseNo, stage } }, body: { comment } })),
    reload: [caseKeys.reviews(caseNo)],
    successMessage: '追评已提交',
  });
  if (!open) return <Button onClick={() => setOpen(true)}>追评</Button>;
  return (
    <Form layout="vertical" name={`follow-up-${stage}`} onFinish={(v: { comment: string }) => send.mutate(v.comment.trim())}>
      <Form.Item name="comment" label="追评内容" rules={[{ required: true, whitespace: true, message: '请输入追评内容' }]}>
        <Input.TextArea maxLength={2000} autoSize={{ minRows: 2 }} />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={send.isPending}>提交追评</Button>
        <Button onClick={() => setOpen(false)}>取消</Button>
      </Space>
    </Form>
  );
}

function GivenReview({ review, caseNo }: { review: Review; caseNo: string }) {
  const ticket = review.ticket as { status?: string } | null;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'r', label: '评价', children: <Tag color={review.bad ? 'error' : 'success'}>{review.rating_label}{review.default ? '（默认评价）' : ''}</Tag> },
          ...(review.tags.length ? [{ key: 't', label: '原因', children: (review.tags as string[]).join('、') }] : []),
          ...(review.comment ? [{ key: 'c', label: '意见', children: review.comment }] : []),
          { key: 'at', label: '时间', children: formatDateTime(review.created_at) },
          ...(ticket?.status ? [{ key: 'k', label: '差评整改', children: TICKET_LABELS[ticket.status] ?? ticket.status }] : []),
          ...(review.follow_up ? [{ key: 'f', label: '追评', children: review.follow_up }] : []),
        ]}
      />
      {!review.follow_up && !review.default ? <FollowUpForm caseNo={caseNo} stage={review.stage} /> : null}
    </Space>
  );
}

export function ReviewPanel({ caseNo, status }: { caseNo: string; status: CaseStatus }) {
  const stages = rateableStages(status);
  const reviews = useCaseReviews(caseNo, stages.length > 0);
  if (!stages.length) return null;
  return (
    <Panel size="small" title={<h2 className="kc-card-title">评价（好差评）</h2>}>
      {reviews.isError ? <Alert type="error" title={<span role="alert">评价加载失败：{errorMessage(reviews.error)}</span>} /> : null}
      {(['receiving', 'handling'] as Stage[]).filter((s) => stages.includes(s)).map((stage) => {
        const given = reviews.data?.find((r) => r.stage === stage);
        return (
          <section key={stage} className="kc-review-stage" aria-label={STAGE_LABELS[stage]}>
            <h3 className="kc-subsection-title">{STAGE_LABELS[stage]}</h3>
            {reviews.isPending ? null : given ? <GivenReview review={given} caseNo={caseNo} /> : <RateForm caseNo={caseNo} stage={stage} />}
          </section>
        );
      })}
    </Panel>
  );
}
