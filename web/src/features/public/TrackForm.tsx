/** Case number + query code: the two things an SMS or a receipt gives a person to follow a case. */
import { Button, Form, Input } from 'antd';

export interface TrackValues {
  case_no: string;
  code: string;
}

export function TrackForm({ initial, onSubmit, compact }: {
  initial?: Partial<TrackValues>;
  onSubmit: (values: TrackValues) => void;
  compact?: boolean;
}) {
  const [form] = Form.useForm<TrackValues>();
  return (
    <Form
      form={form}
      name="track"
      layout="vertical"
      initialValues={initial}
      requiredMark={false}
      onFinish={(v) => onSubmit({ case_no: v.case_no.trim().toUpperCase(), code: v.code.trim() })}
    >
      <Form.Item
        name="case_no"
        label="办件编号"
        extra={compact ? undefined : '在收件回执或短信中，例如 KC4403002026112300017'}
        rules={[
          { required: true, message: '请输入办件编号' },
          { pattern: /^\s*KC\d{10,}\s*$/i, message: '办件编号以 KC 开头，后面是数字' },
        ]}
      >
        <Input autoComplete="off" inputMode="text" maxLength={40} />
      </Form.Item>
      <Form.Item
        name="code"
        label="查询码"
        extra={compact ? undefined : '6 位数字，在收件回执或短信中'}
        rules={[
          { required: true, message: '请输入查询码' },
          { pattern: /^\s*\d{6}\s*$/, message: '查询码为 6 位数字' },
        ]}
      >
        <Input autoComplete="off" inputMode="numeric" maxLength={6} />
      </Form.Item>
      <Button type="primary" htmlType="submit" block={compact}>查询</Button>
    </Form>
  );
}
