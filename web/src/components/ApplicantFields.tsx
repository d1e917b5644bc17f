/**
 * The applicant's identity (name, document, number, mobile) with the checks a browser can make: the GB 11643
 * check digit of a resident ID number and the mainland mobile format. The API checks them again.
 */
import { Form, Input, Radio, Space } from 'antd';
import { ID_PROBLEM_MESSAGES, isMobile, residentIdProblem } from '@/lib/idNumber';
import { ID_TYPE_LABELS, type IdType } from '@/lib/labels';

export function idNumberRule(getType: () => IdType | undefined) {
  return {
    validator: async (_: unknown, value: string | undefined) => {
      if (!value?.trim()) throw new Error('请输入证件号码');
      if ((getType() ?? 'RESIDENT_ID') === 'RESIDENT_ID') {
        const problem = residentIdProblem(value);
        if (problem) throw new Error(ID_PROBLEM_MESSAGES[problem]);
      } else if (value.trim().length < 5) {
        throw new Error('证件号码至少 5 位');
      }
    },
  };
}

export const mobileRule = {
  validator: async (_: unknown, value: string | undefined) => {
    if (!value?.trim()) throw new Error('请输入手机号码');
    if (!isMobile(value)) throw new Error('手机号码应为 11 位数字，以 1 开头');
  },
};

export function ApplicantFields({ prefix = ['applicant'], lockName }: { prefix?: string[]; lockName?: boolean }) {
  const form = Form.useFormInstance();
  return (
    <>
      <Form.Item name={[...prefix, 'name']} label="姓名" rules={[{ required: true, whitespace: true, message: '请输入姓名' }]}>
        <Input autoComplete="name" maxLength={64} disabled={lockName} />
      </Form.Item>
      <Form.Item name={[...prefix, 'id_type']} label="证件类型" rules={[{ required: true, message: '请选择证件类型' }]}>
        <Radio.Group aria-label="证件类型">
          <Space orientation="vertical" size={4}>
            {Object.entries(ID_TYPE_LABELS).map(([value, label]) => <Radio key={value} value={value}>{label}</Radio>)}
          </Space>
        </Radio.Group>
      </Form.Item>
      <Form.Item
        name={[...prefix, 'id_number']}
        label="证件号码"
        extra="居民身份证为 18 位，最后一位可能是 X"
       
        rules={[idNumberRule(() => form.getFieldValue([...prefix, 'id_type']) as IdType | undefined)]}
      >
        <Input autoComplete="off" maxLength={32} spellCheck={false} />
      </Form.Item>
      <Form.Item name={[...prefix, 'phone']} label="手机号码" extra="用于接收办理进度短信" rules={[mobileRule]}>
        <Input autoComplete="tel" inputMode="numeric" maxLength={11} />
      </Form.Item>
    </>
  );
}
