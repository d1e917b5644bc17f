/**
 * 差评工单（本单位）: staff of a rated office open a ticket by its number (opaque; given in the notice they
 * receive) to read the review, follow its progress and appeal once. They never see who rated them, nor the case.
 */
import { Button, Card, Form, Input, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { PageHeader } from '@/components/PageHeader';

export function OfficeTicketsPage() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="差评工单（本单位）" />
      <Card size="small">
        <Typography.Paragraph>
          本单位收到差评后，监督人员会将工单号（形如 TK-01JDXQ4Z8M3V5N7P9R1T3W5Y7A）告知本单位。输入工单号查看评价内容和处理进度，对恶意或错误的差评可提出一次申诉。工单不显示办件编号和评价人。
        </Typography.Paragraph>
        <Form layout="inline" onFinish={(v: { ticketId: string }) => navigate(`/handling/tickets/${encodeURIComponent(v.ticketId.trim())}`)}>
          <Form.Item name="ticketId" label="工单号" rules={[{ required: true, whitespace: true, message: '请输入工单号' }]}>
            <Input style={{ width: 360 }} placeholder="TK-…" />
          </Form.Item>
          <Form.Item><Button type="primary" htmlType="submit">打开工单</Button></Form.Item>
        </Form>
      </Card>
    </>
  );
}
